"""Checks run in the browser on a page's layout: nothing wider than the screen, tap targets
big enough, form fields that can be seen (WCAG 2.2 AA)."""

TAP_TARGETS = """() => {
    // WCAG 2.2 SC 2.5.8 Target Size (Minimum), level AA: each pointer target is at least
    // 24×24 CSS px, except (a) inline targets in a sentence, (b) undersized targets spaced so
    // that a 24 px circle on each touches no other target or circle. A checkbox or radio
    // counts with its label, which toggles it too.
    const selector = "a[href], button, input:not([type=hidden]), select, textarea, summary";
    const visible = el => {
        const r = el.getBoundingClientRect(), s = getComputedStyle(el);
        return r.width > 1 && r.height > 1 && s.visibility !== "hidden" &&
            !el.closest("[aria-hidden=true]");
    };
    const union = (a, b) => {
        const left = Math.min(a.left, b.left), top = Math.min(a.top, b.top);
        const right = Math.max(a.right, b.right), bottom = Math.max(a.bottom, b.bottom);
        return {left, top, right, bottom, width: right - left, height: bottom - top};
    };
    const box = el => {
        let r = el.getBoundingClientRect();
        if (["checkbox", "radio"].includes(el.type) && el.labels)
            for (const label of el.labels) r = union(r, label.getBoundingClientRect());
        return {left: r.left, top: r.top + scrollY, right: r.right, bottom: r.bottom + scrollY,
                width: r.width, height: r.height};
    };
    const inSentence = el => {
        if (el.tagName !== "A") return false;
        const block = el.closest("p, li, dd, td, blockquote, figcaption, label, legend");
        if (!block) return false;
        const text = block.textContent.replace(/\\s+/g, " ").trim();
        const own = el.textContent.replace(/\\s+/g, " ").trim();
        return getComputedStyle(el).display === "inline" && text.length > own.length + 10;
    };
    const describe = el => el.outerHTML.replace(/\\s+/g, " ").slice(0, 120);
    const targets = [...document.querySelectorAll(selector)].filter(visible)
        .map(el => ({el, box: box(el)}));
    const small = targets.filter(t => (t.box.width < 23.5 || t.box.height < 23.5) &&
                                      !inSentence(t.el));
    const centre = b => [(b.left + b.right) / 2, (b.top + b.bottom) / 2];
    const circleHitsBox = ([cx, cy], b) => {
        const dx = Math.max(b.left - cx, 0, cx - b.right);
        const dy = Math.max(b.top - cy, 0, cy - b.bottom);
        return dx * dx + dy * dy < 144;
    };
    return small.filter(t => {
        const c = centre(t.box);
        return targets.some(o => o !== t && o.el !== t.el && !o.el.contains(t.el) &&
            !t.el.contains(o.el) && (circleHitsBox(c, o.box) ||
            (small.includes(o) && Math.hypot(c[0] - centre(o.box)[0],
                                             c[1] - centre(o.box)[1]) < 24)));
    }).map(t => `${Math.round(t.box.width)}×${Math.round(t.box.height)} ${describe(t.el)}`);
}"""


FAINT_CONTROLS = """() => {
    // WCAG 2.2 SC 1.4.11 Non-text Contrast, level AA: the edge that shows where a form
    // field is needs 3:1 against what surrounds it, by its border or by its own background.
    const rgba = value => {
        const [r, g, b, a = 1] = value.match(/[\\d.]+/g).map(Number);
        return {r, g, b, a};
    };
    const luminance = ({r, g, b}) => {
        const [R, G, B] = [r, g, b].map(v => {
            v /= 255;
            return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * R + 0.7152 * G + 0.0722 * B;
    };
    const ratio = (x, y) => {
        const [a, b] = [luminance(x), luminance(y)].sort((m, n) => n - m);
        return (a + 0.05) / (b + 0.05);
    };
    const over = (top, bottom) => ({
        r: top.r * top.a + bottom.r * (1 - top.a),
        g: top.g * top.a + bottom.g * (1 - top.a),
        b: top.b * top.a + bottom.b * (1 - top.a), a: 1,
    });
    const behind = el => {
        const layers = [];
        for (let node = el.parentElement; node; node = node.parentElement) {
            const colour = rgba(getComputedStyle(node).backgroundColor);
            if (colour.a > 0) layers.push(colour);
            if (colour.a === 1) break;
        }
        return layers.reverse().reduce((below, layer) => over(layer, below),
                                       {r: 255, g: 255, b: 255, a: 1});
    };
    const fields = document.querySelectorAll(
        "main input:not([type=hidden]):not([type=submit]):not([type=button]), main select, " +
        "main textarea");
    const faint = [];
    for (const el of fields) {
        const rect = el.getBoundingClientRect(), style = getComputedStyle(el);
        if (rect.width <= 1 || rect.height <= 1 || el.closest("[aria-hidden=true]")) continue;
        // A control drawn by the browser itself (not restyled) is exempt from 1.4.11.
        if (["checkbox", "radio"].includes(el.type) && style.appearance !== "none") continue;
        const around = behind(el);
        const border = over(rgba(style.borderTopColor), around);
        const fill = over(rgba(style.backgroundColor), around);
        const best = Math.max(parseFloat(style.borderTopWidth) > 0 ? ratio(border, around) : 1,
                              ratio(fill, around));
        if (best < 3) faint.push(`${best.toFixed(2)}:1 ${el.outerHTML.slice(0, 100)}`);
    }
    return faint;
}"""


def assert_no_sideways_scroll(page, name):
    """The page `name` is no wider than the browser window."""
    overflow = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    assert overflow[0] <= overflow[1], f"{name}: page is {overflow[0]} px wide in {overflow[1]}"


def assert_fits(page, name):
    """The page `name` has no sideways scroll, no tap target under 24×24 px and no form
    field whose edge is under 3:1 contrast."""
    assert_no_sideways_scroll(page, name)
    too_small = page.evaluate(TAP_TARGETS)
    assert not too_small, f"{name}: tap targets under 24×24 px:\n" + "\n".join(too_small)
    faint = page.evaluate(FAINT_CONTROLS)
    assert not faint, f"{name}: form fields whose edges are under 3:1 contrast:\n" + "\n".join(
        faint
    )
