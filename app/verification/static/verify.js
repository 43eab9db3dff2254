/* The verify page, improved: drag and drop, a call to the verify API, the result in place.
 *
 * Without this script the form posts to /verify and the server renders the same result.
 * The markup built here mirrors app/verification/page.py, and every word comes from the
 * table the page embeds (#verify-texts). Badge content is only ever set as text, never as
 * markup.
 */
(() => {
  "use strict";

  const form = document.getElementById("verify-form");
  const textsNode = document.getElementById("verify-texts");
  if (!form || !textsNode || !window.fetch || !window.FormData) {
    return;
  }
  const texts = JSON.parse(textsNode.textContent);
  const result = document.getElementById("result");
  const drop = document.getElementById("drop");
  const fileInput = document.getElementById("file");
  const clearButton = document.getElementById("file-clear");
  const textArea = document.getElementById("text");
  const emailInput = document.getElementById("email");
  const submit = document.getElementById("submit");
  const busy = document.getElementById("busy");
  const lang = document.documentElement.lang === "en" ? "en" : "ja";
  const maxBytes = 5 * 1024 * 1024;
  const marks = { passed: "✓", failed: "✗", warning: "!", indeterminate: "?", skipped: "–" };
  const verdictMarks = { valid: "✓", invalid: "✗", unknown: "?" };
  const months = ("January February March April May June July August September October " +
    "November December").split(" ");
  let objectUrl = null;

  const ui = (key) => texts.ui[key] || key;

  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      node.setAttribute(name, value);
    }
    for (const child of children) {
      if (child === null || child === undefined || child === "") continue;
      node.append(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  function checkLabel(id) {
    if (texts.labels[id]) return texts.labels[id];
    if (id.startsWith("status.")) return `${texts.labels.status} (${id.slice(7)})`;
    return id;
  }

  function checkSentence(check) {
    if (check.status === "skipped" && check.message.startsWith("needs ")) {
      return texts.sentences["*/blocked"];
    }
    return texts.sentences[`${check.id}/${check.status}`] ||
      texts.sentences[`*/${check.status}`] || check.message;
  }

  function verdictOf(report) {
    if (report.ok) return "valid";
    return report.checks.some((c) => c.status === "failed") ? "invalid" : "unknown";
  }

  function safeImage(url) {
    if (typeof url !== "string" || !url) return null;
    if (url.startsWith("https://") || url.startsWith(`${window.location.origin}/`)) return url;
    return /^data:image\/(png|svg\+xml|jpeg|gif|webp)[;,]/i.test(url) ? url : null;
  }

  function dateNode(value) {
    if (!value) return document.createTextNode(ui("unknown_value"));
    const match = /^([0-9]{4})-([0-9]{2})-([0-9]{2})/.exec(value);
    const month = match ? Number(match[2]) : 0;
    if (!match || month < 1 || month > 12) return document.createTextNode(value);
    const year = Number(match[1]);
    const day = Number(match[3]);
    const shown = lang === "ja" ? `${year}年${month}月${day}日` : `${day} ${months[month - 1]} ${year}`;
    return el("time", { datetime: value }, shown);
  }

  function pill(tone, text) {
    return el("span", { class: `pill pill--${tone}` }, text);
  }

  function issuerNode(issuer) {
    const name = issuer.name || issuer.id || ui("unknown_value");
    const fragment = document.createDocumentFragment();
    if (issuer.url && /^https?:\/\//.test(issuer.url)) {
      fragment.append(el("a", { href: issuer.url, rel: "noopener noreferrer nofollow" }, name));
    } else {
      fragment.append(name);
    }
    if (issuer.verified_id) {
      fragment.append(el("span", { class: "ident", title: ui("verified_identifier") },
        `✓ ${issuer.verified_id}`));
    } else if (issuer.id && issuer.name) {
      fragment.append(el("span", { class: "ident" }, issuer.id));
    }
    return fragment;
  }

  function recipientNode(recipient) {
    const fragment = document.createDocumentFragment();
    const parts = [];
    if (recipient.name) parts.push(document.createTextNode(recipient.name));
    if (recipient.identity) {
      parts.push(el("span", { class: "ident" }, recipient.identity));
    } else if (recipient.hashed) {
      parts.push(el("span", { class: "muted" }, ui("hashed_identity")));
    }
    if (recipient.matched === true) parts.push(pill("good", ui("matched_yes")));
    else if (recipient.matched === false) parts.push(pill("bad", ui("matched_no")));
    else parts.push(pill("neutral", ui("matched_none")));
    parts.forEach((part, index) => {
      if (index) fragment.append(" ");
      fragment.append(part);
    });
    return fragment;
  }

  function statusNode(status) {
    const key = status || "none";
    const tone = { active: "good", revoked: "bad", suspended: "bad" }[key] || "neutral";
    return pill(tone, ui(`status_${key}`));
  }

  function card(report, image) {
    const summary = report.summary;
    const name = summary.achievement.name || ui("unknown_value");
    const picture = image || safeImage(summary.achievement.image);
    const figure = picture
      ? el("img", { class: "badge-image", src: picture, alt: name })
      : el("div", { class: "badge-image badge-image--none", "aria-hidden": "true" }, "?");
    const rows = [
      [ui("issuer"), issuerNode(summary.issuer)],
      [ui("recipient"), recipientNode(summary.recipient)],
      [ui("issued"), dateNode(summary.issued)],
      [ui("valid_until"), summary.valid_until
        ? dateNode(summary.valid_until) : document.createTextNode(ui("no_expiry"))],
      [ui("status"), statusNode(summary.status)],
      [ui("format"), document.createTextNode(ui(`format_${report.format}`))],
    ];
    if (summary.endorsements && summary.endorsements.length) {
      const endorsements = document.createDocumentFragment();
      summary.endorsements.forEach((e, index) => {
        if (index) endorsements.append(" ");
        endorsements.append(pill(e.verified ? "good" : "neutral",
          `${e.verified ? "✓" : "!"} ${e.endorser}`));
      });
      rows.push([ui("endorsements"), endorsements]);
    }
    const facts = el("dl", { class: "facts" },
      ...rows.map(([term, value]) => el("div", {}, el("dt", {}, term), el("dd", {}, value))));
    const description = summary.achievement.description;
    return el("div", { class: "card" }, figure,
      el("div", { class: "card-body" },
        el("p", { class: "eyebrow" }, ui("achievement")),
        el("h3", { class: "badge-name" }, name),
        description ? el("p", { class: "badge-description" }, description) : null),
      facts);
  }

  function checkItem(check) {
    return el("li", { class: `check check--${check.status}`, "data-check": check.id },
      el("span", { class: "check-mark", "aria-hidden": "true" }, marks[check.status] || "?"),
      el("div", { class: "check-body" },
        el("p", { class: "check-head" },
          el("strong", { class: "check-label" }, checkLabel(check.id)), " ",
          el("span", { class: "check-status" }, texts.status[check.status] || check.status)),
        el("p", { class: "check-sentence" }, checkSentence(check)),
        el("details", {},
          el("summary", {}, ui("details")),
          el("p", { class: "check-detail" }, el("code", {}, check.id), ` ${check.message}`))));
  }

  function renderReport(report, image) {
    const outcome = verdictOf(report);
    let explanation = ui("explain_valid");
    if (outcome !== "valid") {
      const wanted = outcome === "invalid" ? "failed" : "indeterminate";
      const names = report.checks.filter((c) => c.status === wanted).map((c) => checkLabel(c.id));
      explanation = ui(`explain_${outcome}`).replace("{checks}", names.join(lang === "ja" ? "、" : ", "));
    }
    return el("section", { class: "report", "aria-labelledby": "verdict" },
      el("div", { class: `verdict verdict--${outcome}` },
        el("span", { class: "verdict-mark", "aria-hidden": "true" }, verdictMarks[outcome]),
        el("div", {},
          el("h2", { id: "verdict", tabindex: "-1" }, ui(`verdict_${outcome}`)),
          el("p", { class: "verdict-text" }, explanation))),
      outcome === "valid" ? null : el("p", { class: "claims" }, ui(`claims_${outcome}`)),
      card(report, image),
      el("h3", { class: "checks-title" }, ui("checks_title")),
      el("ol", { class: "checks" }, ...report.checks.map(checkItem)));
  }

  function renderError(detail) {
    return el("div", { class: "alert", role: "alert" },
      el("h2", { id: "verdict", tabindex: "-1" }, ui("error_title")),
      el("p", {}, detail));
  }

  function show(node) {
    result.replaceChildren(node);
    const heading = document.getElementById("verdict");
    if (heading) heading.focus();
  }

  function setBusy(on) {
    submit.disabled = on;
    busy.hidden = !on;
    result.setAttribute("aria-busy", on ? "true" : "false");
  }

  function chosenFile() {
    return fileInput.files && fileInput.files.length ? fileInput.files[0] : null;
  }

  function syncClear() {
    clearButton.hidden = !chosenFile();
  }

  function request() {
    const file = chosenFile();
    const email = emailInput.value.trim();
    if (file) {
      const data = new FormData();
      data.append("file", file, file.name);
      if (email) data.append("email", email);
      const isImage = /^image\/(png|svg\+xml)$/.test(file.type) || /\.(png|svg)$/i.test(file.name);
      return { init: { method: "POST", body: data }, image: isImage ? file : null, size: file.size };
    }
    const text = textArea.value.trim();
    if (!text) return null;
    const body = {};
    if (/^https?:\/\/\S+$/.test(text)) {
      body.url = text;
    } else {
      let parsed = null;
      if (text.startsWith("{")) {
        try {
          parsed = JSON.parse(text);
        } catch (error) {
          parsed = null; // sent as text: the server says what is wrong with it
        }
      }
      body.credential = parsed && typeof parsed === "object" && !Array.isArray(parsed) ? parsed : text;
    }
    if (email) body.recipient = { email };
    const init = {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
    };
    return { init, image: null, size: 0 };
  }

  async function verify(event) {
    event.preventDefault();
    const outgoing = request();
    if (!outgoing) {
      show(renderError(ui("error_empty")));
      return;
    }
    if (outgoing.size > maxBytes) {
      show(renderError(ui("error_too_large")));
      return;
    }
    setBusy(true);
    try {
      const response = await fetch("/api/v1/verify", outgoing.init);
      const payload = await response.json().catch(() => null);
      if (response.ok && payload && Array.isArray(payload.checks)) {
        if (objectUrl) URL.revokeObjectURL(objectUrl);
        objectUrl = outgoing.image ? URL.createObjectURL(outgoing.image) : null;
        show(renderReport(payload, objectUrl));
      } else if (response.status === 413) {
        show(renderError(ui("error_too_large")));
      } else if (response.status === 429) {
        show(renderError(ui("error_rate")));
      } else if (payload && payload.code === "not_a_badge") {
        show(renderError(`${ui("error_not_a_badge")} (${payload.detail})`));
      } else {
        show(renderError((payload && payload.detail) || ui("error_request")));
      }
    } catch (error) {
      show(renderError(ui("error_network")));
    } finally {
      setBusy(false);
    }
  }

  const hasFiles = (event) =>
    event.dataTransfer && Array.from(event.dataTransfer.types || []).includes("Files");

  drop.addEventListener("dragenter", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    drop.classList.add("is-over");
  });
  drop.addEventListener("dragover", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
    drop.classList.add("is-over");
  });
  drop.addEventListener("dragleave", (event) => {
    if (!drop.contains(event.relatedTarget)) drop.classList.remove("is-over");
  });
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("is-over");
    if (event.dataTransfer && event.dataTransfer.files.length) {
      fileInput.files = event.dataTransfer.files;
      syncClear();
      fileInput.focus();
    }
  });
  // A file dropped beside the zone must not make the browser navigate away to it.
  document.addEventListener("dragover", (event) => {
    if (hasFiles(event)) event.preventDefault();
  });
  document.addEventListener("drop", (event) => {
    if (hasFiles(event)) event.preventDefault();
  });

  fileInput.addEventListener("change", syncClear);
  clearButton.addEventListener("click", () => {
    fileInput.value = "";
    syncClear();
    fileInput.focus();
  });
  form.addEventListener("submit", verify);
  document.documentElement.classList.add("js");
  syncClear();
})();
