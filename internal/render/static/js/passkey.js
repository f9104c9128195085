// Passkeys (WebAuthn): registration and sign-in. Served from our own origin;
// pages mark their buttons with data attributes, no inline script.
//
//   <button data-passkey="register" data-begin="/account/passkeys/begin" data-finish="/account/passkeys/finish">
//   <button data-passkey="login" data-begin="/login/passkey/begin" data-finish="/login/passkey/finish">
//
// The server answers begin with the options as JSON, and finish with
// {"redirect": "/somewhere"}. Errors are shown in the element named by
// data-status, read out by screen readers (role="status").
(function () {
  "use strict";

  function b64url(buf) {
    var s = "", bytes = new Uint8Array(buf);
    for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function unb64url(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) s += "=";
    var bin = atob(s), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out.buffer;
  }

  // Older browsers lack PublicKeyCredential.parse*OptionsFromJSON and toJSON.
  function creationOptions(o) {
    if (PublicKeyCredential.parseCreationOptionsFromJSON) return PublicKeyCredential.parseCreationOptionsFromJSON(o);
    o.challenge = unb64url(o.challenge);
    o.user.id = unb64url(o.user.id);
    (o.excludeCredentials || []).forEach(function (c) { c.id = unb64url(c.id); });
    return o;
  }
  function requestOptions(o) {
    if (PublicKeyCredential.parseRequestOptionsFromJSON) return PublicKeyCredential.parseRequestOptionsFromJSON(o);
    o.challenge = unb64url(o.challenge);
    (o.allowCredentials || []).forEach(function (c) { c.id = unb64url(c.id); });
    return o;
  }
  function credentialJSON(c) {
    if (c.toJSON) return c.toJSON();
    var r = c.response, out = { id: c.id, rawId: b64url(c.rawId), type: c.type, response: {
      clientDataJSON: b64url(r.clientDataJSON) }, clientExtensionResults: c.getClientExtensionResults() };
    if (r.attestationObject) {
      out.response.attestationObject = b64url(r.attestationObject);
      if (r.getTransports) out.response.transports = r.getTransports();
    } else {
      out.response.authenticatorData = b64url(r.authenticatorData);
      out.response.signature = b64url(r.signature);
      if (r.userHandle) out.response.userHandle = b64url(r.userHandle);
    }
    return out;
  }

  function say(btn, msg) {
    var el = document.getElementById(btn.getAttribute("data-status") || "");
    if (el) el.textContent = msg;
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: body === undefined ? "{}" : JSON.stringify(body)
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (data) {
        if (!resp.ok) throw new Error(data.detail || "The request failed.");
        return data;
      });
    });
  }

  function run(btn) {
    if (!window.PublicKeyCredential) {
      say(btn, "This browser does not support passkeys.");
      return;
    }
    var kind = btn.getAttribute("data-passkey");
    var extra = {};
    var nameField = document.getElementById(btn.getAttribute("data-name-field") || "");
    if (nameField) extra.name = nameField.value;
    btn.disabled = true;
    say(btn, kind === "register" ? "Follow your browser's prompt to create a passkey." : "Follow your browser's prompt to use your passkey.");
    post(btn.getAttribute("data-begin"), extra).then(function (opts) {
      var pk = opts.publicKey || opts;
      return kind === "register"
        ? navigator.credentials.create({ publicKey: creationOptions(pk) })
        : navigator.credentials.get({ publicKey: requestOptions(pk), mediation: "optional" });
    }).then(function (cred) {
      return post(btn.getAttribute("data-finish"), credentialJSON(cred));
    }).then(function (done) {
      window.location.assign(done.redirect || "/");
    }).catch(function (err) {
      btn.disabled = false;
      say(btn, err && err.name === "NotAllowedError" ? "The passkey prompt was cancelled or timed out." : (err.message || "Something went wrong."));
    });
  }

  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest && ev.target.closest("[data-passkey]");
    if (!btn) return;
    ev.preventDefault();
    run(btn);
  });
})();
