// LTI platform storage (1EdTech lti-pm-s), used when the platform sends lti_storage_target
// because the tool's cookies may be blocked inside its iframe.
//  - data-mode="put" (login page): ask the platform to keep the login state, then go on
//    to the platform's authentication endpoint (data-next) whatever the answer: the
//    state cookie may still work.
//  - data-mode="get" (launch page): read the state back and post the launch again with
//    it; without an answer, show how to open the activity in a new window instead.
// Replies are accepted only from the platform's origin (data-origin) and only with the
// message_id this page sent.
(function () {
  "use strict";
  var TIMEOUT_MS = 5000;
  var element = document.getElementById("lti-storage");
  if (!element) {
    return;
  }
  var mode = element.dataset.mode;
  var origin = element.dataset.origin;
  var targetName = element.dataset.target;

  function storageFrame() {
    if (targetName === "_parent") {
      return window.parent !== window ? window.parent : window.opener;
    }
    try {
      var frames = (window.opener || window.parent).frames;
      return frames[targetName] || null;
    } catch (error) {
      return null;
    }
  }

  function ask(message, done) {
    var frame = storageFrame();
    if (!frame) {
      done(null);
      return;
    }
    var messageId = "chemins-" + Date.now() + "-" + Math.random().toString(36).slice(2);
    var finished = false;
    function finish(reply) {
      if (finished) {
        return;
      }
      finished = true;
      window.removeEventListener("message", onMessage);
      done(reply);
    }
    function onMessage(event) {
      var data = event.data;
      if (event.origin !== origin || !data || typeof data !== "object") {
        return;
      }
      if (data.subject !== message.subject + ".response" || data.message_id !== messageId) {
        return;
      }
      finish(data.error ? null : data);
    }
    window.addEventListener("message", onMessage);
    message.message_id = messageId;
    frame.postMessage(message, origin);
    window.setTimeout(function () { finish(null); }, TIMEOUT_MS);
  }

  if (mode === "put") {
    ask(
      { subject: "lti.put_data", key: element.dataset.key, value: element.dataset.value },
      function () { window.location.replace(element.dataset.next); }
    );
  } else if (mode === "get") {
    ask({ subject: "lti.get_data", key: element.dataset.key }, function (reply) {
      if (reply && typeof reply.value === "string" && reply.value) {
        element.querySelector("input[name=lti_storage_state]").value = reply.value;
        element.submit();
        return;
      }
      var failed = document.querySelector("[data-storage-failed]");
      if (failed) {
        failed.hidden = false;
      }
    });
  }
})();
