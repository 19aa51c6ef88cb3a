// Posts forms marked data-autosubmit (Deep Linking response) as soon as the page loads;
// without JavaScript the form's own button does the same.
document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
  form.submit();
});
