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
