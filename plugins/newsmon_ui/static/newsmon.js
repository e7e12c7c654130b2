// Progressive enhancement only: every page works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Opened on its own (a link in an alert email) rather than inside the Airflow UI: offer the way back.
  if (window.top === window.self) {
    for (const link of document.querySelectorAll("a.in-airflow")) link.hidden = false;
  }
  // Changing a drop-down filter applies it at once.
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => {
      const form = select.form;
      const page = form.querySelector("input[name=page]");
      if (page) page.remove();
      form.requestSubmit();
    });
  }
  // Leave empty fields out of the URL so shared links stay short and readable.
  const filters = document.getElementById("filters");
  if (filters) {
    filters.addEventListener("formdata", (event) => {
      for (const [key, value] of Array.from(event.formData.entries())) {
        if (value === "") event.formData.delete(key);
      }
    });
  }
});
