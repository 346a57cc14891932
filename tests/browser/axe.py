"""axe-core in the browser, with WCAG 2.2 A/AA and best-practice rules.

axe-core comes bundled in axe-playwright-python (pinned in requirements-dev.txt; its
axe.min.js is axe-core 4.12). It is injected with `page.evaluate`, which runs through the
DevTools protocol and is not subject to the page's Content-Security-Policy, so the pages
are checked with their real, strict CSP in force: exactly what patients get.
"""

from axe_playwright_python.sync_playwright import Axe

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
OPTIONS = {
    "runOnly": {"type": "tag", "values": WCAG_TAGS},
    "resultTypes": ["violations"],
}

_axe = Axe()


def axe_violations(page):
    """Run axe on the page as it is now; return its violations."""
    return _axe.run(page, options=OPTIONS).response["violations"]


def axe_version(page):
    return page.evaluate("window.axe && window.axe.version")


def describe_violations(violations_by_page):
    """One readable block per page: rule id, impact, what it means, and where."""
    lines = []
    for name, violations in violations_by_page.items():
        if not violations:
            continue
        lines.append(f"{name}:")
        for violation in violations:
            lines.append(
                f"  {violation['id']} ({violation['impact']}): {violation['help']} "
                f"<{violation['helpUrl'].split('?')[0]}>"
            )
            for node in violation["nodes"][:8]:
                target = " ".join(str(part) for part in node["target"])
                summary = node.get("failureSummary", "").replace("\n", " ").strip()
                lines.append(f"      {target}  -- {summary[:200]}")
            if len(violation["nodes"]) > 8:
                lines.append(f"      (+{len(violation['nodes']) - 8} more)")
    return "\n".join(lines)
