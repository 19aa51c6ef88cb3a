// The course page as an LTI platform storage provider (1EdTech lti-pm-s), as Canvas is:
// the tool in the iframe (or in a window this page opened) cannot keep cookies, so it
// asks this page to keep its login state with lti.put_data and reads it back with
// lti.get_data. Only messages from the registered tool's origin are answered, and
// values are kept per origin, in this page's memory, for as long as the course is open.
// window.demoLmsStorageLog records the subjects received, for the browser tests.
(function () {
  "use strict";
  var toolOrigin = document.body.dataset.toolOrigin;
  var stores = {};
  var log = [];
  window.demoLmsStorageLog = log;

  function answer(data, store) {
    var reply = { subject: data.subject + ".response", message_id: data.message_id };
    if (data.subject === "lti.capabilities") {
      reply.supported_messages = [
        { subject: "lti.capabilities" },
        { subject: "lti.put_data" },
        { subject: "lti.get_data" }
      ];
    } else if (typeof data.key !== "string" || !data.key) {
      reply.error = { code: "bad_request", message: "a key is required" };
    } else if (data.subject === "lti.put_data") {
      if (data.value === null || data.value === undefined) {
        delete store[data.key];
      } else {
        store[data.key] = String(data.value);
      }
      reply.key = data.key;
      reply.value = data.value;
    } else if (data.subject === "lti.get_data") {
      reply.key = data.key;
      if (Object.prototype.hasOwnProperty.call(store, data.key)) {
        reply.value = store[data.key];
      } else {
        reply.error = { code: "bad_request", message: "nothing stored under this key" };
      }
    } else {
      reply.error = { code: "unsupported_subject", message: "unsupported subject" };
    }
    return reply;
  }

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || typeof data !== "object" || typeof data.subject !== "string") {
      return;
    }
    if (event.origin !== toolOrigin || !event.source) {
      return;
    }
    log.push({ subject: data.subject, origin: event.origin, key: data.key || null });
    stores[event.origin] = stores[event.origin] || {};
    event.source.postMessage(answer(data, stores[event.origin]), event.origin);
  });
})();
