// GOV.UK's pattern: components that need JavaScript are styled only once the browser can run it.
// Loaded as a classic, blocking script at the top of <body> so the class is set before paint.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
