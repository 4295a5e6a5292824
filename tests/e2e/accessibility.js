// Basic accessibility checks run inside the page by tests/e2e/pages.py; returns readable problems.
// html lang, one h1, alt on images, a label for every form control, a name for every button and
// link, and unique ids (label-for, aria-labelledby and aria-describedby depend on them).
(() => {
  const problems = [];
  const short = (el) => el.outerHTML.replace(/\s+/g, " ").slice(0, 140);
  const spoken = (el) => {
    const copy = el.cloneNode(true);
    copy.querySelectorAll("[aria-hidden='true']").forEach((hidden) => hidden.remove());
    return copy.textContent.trim();
  };
  const ariaName = (el) => {
    const ids = (el.getAttribute("aria-labelledby") || "").split(/\s+/).filter(Boolean);
    const labelled = ids.map((id) => document.getElementById(id))
      .filter(Boolean).map(spoken).join(" ").trim();
    return (el.getAttribute("aria-label") || "").trim() || labelled
      || (el.getAttribute("title") || "").trim();
  };
  if (!(document.documentElement.getAttribute("lang") || "").trim()) {
    problems.push("<html> has no lang attribute");
  }
  const headings = document.querySelectorAll("h1").length;
  if (headings !== 1) problems.push(`expected exactly one <h1>, found ${headings}`);
  document.querySelectorAll("img:not([alt])").forEach((img) => {
    problems.push("image without alt: " + short(img));
  });
  const skip = ["hidden", "submit", "button", "reset", "image"];
  document.querySelectorAll("input, select, textarea").forEach((control) => {
    if (skip.includes((control.getAttribute("type") || "").toLowerCase())) return;
    const labelled = Array.from(control.labels || []).some((label) => spoken(label));
    if (!labelled && !ariaName(control)) {
      problems.push("form control without a label: " + short(control));
    }
  });
  document.querySelectorAll("button, input[type=submit], input[type=button], [role=button]")
    .forEach((button) => {
      const text = button.tagName === "INPUT" ? (button.value || "").trim() : spoken(button);
      if (!text && !ariaName(button)) problems.push("button without a name: " + short(button));
    });
  document.querySelectorAll("a[href]").forEach((link) => {
    const image = link.querySelector("img[alt]:not([alt=''])");
    if (!spoken(link) && !ariaName(link) && !image) {
      problems.push("link without a name: " + short(link));
    }
  });
  const seen = new Map();
  document.querySelectorAll("[id]").forEach((el) => seen.set(el.id, (seen.get(el.id) || 0) + 1));
  seen.forEach((count, id) => {
    if (count > 1) problems.push(`id "${id}" is used ${count} times`);
  });
  return problems;
})
