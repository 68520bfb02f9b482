/**
 * The page script, plain ES2017 with no build step. It keeps the live regions current from
 * /events (Server-Sent Events), patching rows in place so a button under the finger survives the
 * update; posts action forms (kick) with fetch; and copies the FTP info block.
 * Written without template literals, as it lives inside one.
 */
export const LIVE_JS = `(function () {
  "use strict";
  var regions = (document.body.getAttribute("data-live-regions") || "").split(",").filter(Boolean);
  var badge = document.getElementById("live-state");

  function setState(state, title) {
    if (!badge) return;
    badge.setAttribute("data-state", state);
    badge.textContent = state;
    badge.title = title;
  }

  function parse(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    return template.content;
  }

  function syncAttributes(target, source) {
    Array.prototype.slice.call(target.attributes).forEach(function (a) {
      if (!source.hasAttribute(a.name)) target.removeAttribute(a.name);
    });
    Array.prototype.slice.call(source.attributes).forEach(function (a) {
      if (target.getAttribute(a.name) !== a.value) target.setAttribute(a.name, a.value);
    });
  }

  // Rows carry ids: move, add and drop them by id, and patch a kept row cell by cell.
  function patchKeyed(parent, fresh) {
    var previous = null;
    fresh.forEach(function (node) {
      var current = document.getElementById(node.id);
      if (current && current.parentNode === parent) {
        if (!current.isEqualNode(node)) {
          syncAttributes(current, node);
          patch(current, node);
        }
      } else {
        current = node;
      }
      var wanted = previous ? previous.nextSibling : parent.firstChild;
      if (wanted !== current) parent.insertBefore(current, wanted);
      previous = current;
    });
    while (previous && previous.nextSibling) parent.removeChild(previous.nextSibling);
  }

  function patch(parent, source) {
    var fresh = Array.prototype.slice.call(source.childNodes);
    var keyed = fresh.length > 0 && fresh.every(function (n) { return n.nodeType === 1 && n.id; });
    if (keyed) return patchKeyed(parent, fresh);
    var current = Array.prototype.slice.call(parent.childNodes);
    if (current.length !== fresh.length) {
      while (parent.firstChild) parent.removeChild(parent.firstChild);
      fresh.forEach(function (n) { parent.appendChild(n); });
      return;
    }
    current.forEach(function (node, i) {
      if (!node.isEqualNode(fresh[i])) parent.replaceChild(fresh[i], node);
    });
  }

  function toLogin() {
    location.assign("/login?next=" + encodeURIComponent(location.pathname));
  }

  var source = null;
  function connect() {
    if (regions.length === 0 || !window.EventSource) return;
    source = new EventSource("/events?regions=" + regions.join(","));
    source.addEventListener("hello", function () { setState("live", "Live: updates arrive as they happen"); });
    regions.forEach(function (region) {
      source.addEventListener(region, function (event) {
        var targets = document.querySelectorAll('[data-live="' + region + '"]');
        Array.prototype.forEach.call(targets, function (target) { patch(target, parse(event.data)); });
      });
    });
    source.addEventListener("logged-out", toLogin);
    source.onerror = function () {
      setState("offline", "Not connected; retrying");
      // EventSource retries by itself after a dropped stream, but gives up on an error response.
      if (source.readyState === 2) {
        source = null;
        setTimeout(recover, 3000);
      }
    };
  }

  // Logged out (the page now redirects to the login form), or just unreachable for a while?
  function recover() {
    fetch(location.pathname, { redirect: "manual", credentials: "same-origin" }).then(function (response) {
      if (response.type === "opaqueredirect" || response.status === 401) toLogin();
      else connect();
    }, function () { setTimeout(recover, 5000); });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.hasAttribute || !form.hasAttribute("data-confirm")) return;
    event.preventDefault();
    if (!window.confirm(form.getAttribute("data-confirm"))) return;
    var body = new URLSearchParams(new FormData(form));
    var row = form.closest("tr");
    if (row) row.classList.add("leaving");
    fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRF-Token": body.get("csrf") || "" }
    }).then(function (response) {
      if (response.ok) return;
      if (row) row.classList.remove("leaving");
      return response.json().then(function (answer) { window.alert(answer.error || "Failed."); }, function () { window.alert("Failed."); });
    }, function () {
      if (row) row.classList.remove("leaving");
      window.alert("The server did not answer.");
    });
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy]") : null;
    if (!button) return;
    var text = document.querySelector(button.getAttribute("data-copy"));
    if (!text) return;
    var label = button.textContent;
    function done(ok) {
      button.textContent = ok ? "Copied" : "Press Ctrl+C to copy";
      setTimeout(function () { button.textContent = label; }, 2000);
    }
    // The Clipboard API needs a secure context; plain http on a LAN address is not one.
    function fallback() {
      var range = document.createRange();
      range.selectNodeContents(text);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      done(ok);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text.textContent).then(function () { done(true); }, fallback);
    } else {
      fallback();
    }
  });

  connect();
})();
`;
