"""JUnit XML: one test case per finding (a failure), grouped in one suite per code."""

from __future__ import annotations

from collections import defaultdict
from xml.etree import ElementTree as ET

from djstate.findings import Finding


def render(findings: list[Finding], stats: dict, display=str) -> str:
    suites = ET.Element("testsuites", name="djstate", tests=str(len(findings)), failures=str(len(findings)))
    by_code: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        by_code[f.code].append(f)
    if not findings:
        suite = ET.SubElement(suites, "testsuite", name="djstate", tests="1", failures="0")
        ET.SubElement(suite, "testcase", name="no findings", classname="djstate", time=f"{stats.get('seconds', 0):.3f}")
    for code, group in sorted(by_code.items()):
        suite = ET.SubElement(suites, "testsuite", name=f"{code} {group[0].name}", tests=str(len(group)), failures=str(len(group)))
        for f in group:
            where = f"{display(f.path)}:{f.line}:{f.column}"
            case = ET.SubElement(suite, "testcase", name=where, classname=code, file=display(f.path), line=str(f.line))
            failure = ET.SubElement(case, "failure", message=f.message, type=f.severity)
            failure.text = f"{where}: {f.code} [{f.severity}] {f.message}"
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True)
