// Kinetic Chart page behaviour. No inline scripts anywhere: pages opt in with data attributes.
document.addEventListener("DOMContentLoaded", () => {
  // Buttons that ask before a consequential action: <button data-confirm="Sign this note?">
  document.body.addEventListener("click", (event) => {
    const target = event.target.closest("[data-confirm]");
    if (target && !window.confirm(target.dataset.confirm)) {
      event.preventDefault();
    }
  });
});

// Chart tabs: each tab is a link to its section (so it works without JavaScript); this marks
// the tab of the section being read as the current one while the chart scrolls.
document.addEventListener("DOMContentLoaded", () => {
  const tabs = Array.from(document.querySelectorAll("#chart-tabs a.nav-link[href^='#']"));
  const sections = tabs.map((tab) => document.getElementById(tab.getAttribute("href").slice(1)));
  if (!tabs.length || !("IntersectionObserver" in window)) return;
  const mark = (tab) => {
    tabs.forEach((other) => {
      other.classList.toggle("active", other === tab);
      if (other === tab) other.setAttribute("aria-current", "location");
      else other.removeAttribute("aria-current");
    });
  };
  const visible = new Set();
  const observer = new IntersectionObserver(
    (entries) => {
      entries.forEach((entry) => (entry.isIntersecting ? visible.add(entry.target) : visible.delete(entry.target)));
      const first = sections.find((section) => visible.has(section));
      if (first) mark(tabs[sections.indexOf(first)]);
    },
    { rootMargin: "-140px 0px -55% 0px" }
  );
  sections.forEach((section) => section && observer.observe(section));
  tabs.forEach((tab) => tab.addEventListener("click", () => mark(tab)));
});

// A chart wider than its column scrolls sideways; make that region reachable from the keyboard.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".kc-chart, .kc-chain").forEach((box) => {
    if (box.scrollWidth <= box.clientWidth + 1 || box.hasAttribute("tabindex")) return;
    const svg = box.querySelector("svg[aria-label]");
    box.setAttribute("tabindex", "0");
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", (svg ? svg.getAttribute("aria-label") : "Chart") + " (scrolls sideways)");
  });
});

// The client header's height, kept as a CSS variable so a sticky card below it (the visit
// note's sign card) stops just under it rather than sliding beneath it.
document.addEventListener("DOMContentLoaded", () => {
  const bar = document.getElementById("client-bar");
  if (!bar) return;
  const root = document.documentElement;
  const measure = () => root.style.setProperty("--kc-client-bar-height", `${Math.ceil(bar.offsetHeight)}px`);
  measure();
  if ("ResizeObserver" in window) new ResizeObserver(measure).observe(bar);
});
