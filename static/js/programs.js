// Program builder: keyboard shortcuts. Loaded only on the builder page.
// "/" focuses the library search; Escape in the search clears it.
document.addEventListener("DOMContentLoaded", () => {
  const search = document.querySelector("[data-kc-focus-key]");
  if (!search) {
    return;
  }
  const key = search.dataset.kcFocusKey;
  document.addEventListener("keydown", (event) => {
    const tag = (event.target.tagName || "").toLowerCase();
    const typing = tag === "input" || tag === "textarea" || tag === "select" || event.target.isContentEditable;
    if (event.key === key && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      search.focus();
      search.select();
    }
  });
  search.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      search.value = "";
      search.dispatchEvent(new Event("input", { bubbles: true }));
    }
    // Enter in the search adds the first result: the fastest path from typing to adding.
    if (event.key === "Enter") {
      event.preventDefault();
      const first = document.querySelector("#library-list button[type=submit]");
      if (first) {
        first.click();
      }
    }
  });
});
