// Dynamic Registration is over: tell the platform's window to close this one (LTI DR §3.6).
(function () {
  var target = window.opener || window.parent;
  if (target && target !== window) {
    target.postMessage({ subject: "org.imsglobal.lti.close" }, "*");
  }
})();
