// Copy a just-issued client link: the button names the field it copies.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-kc-copy]");
  if (!button) return;
  const field = document.getElementById(button.dataset.kcCopy);
  if (!field) return;
  field.select();
  const done = () => { button.textContent = "Copied"; };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(done, () => document.execCommand("copy") && done());
  } else if (document.execCommand("copy")) {
    done();
  }
});
