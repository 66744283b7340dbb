/* Dossier portal: plain JavaScript, no build step. Hash routes:
   #/                         document sets
   #/sets/{id}                documents (upload, capacity, prefix cache)
   #/sets/{id}/ask[/{cid}]    conversations, streamed answers, citations
   #/sets/{id}/reviews[/{rid}] review agents, findings, exports */
"use strict";

const app = document.getElementById("app");
let routeToken = 0;          // bumped on every navigation: stale pollers and renders stop
let streaming = null;        // the AbortController of the answer being streamed

// ---------- helpers ----------
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "class") node.className = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child == null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}
const fmt = new Intl.NumberFormat();
function bytes(n) {
  if (n < 1024) return n + " B";
  if (n < 1048576) return (n / 1024).toFixed(1) + " KB";
  return (n / 1048576).toFixed(1) + " MB";
}
function when(iso) { return iso ? new Date(iso).toLocaleString() : ""; }
function toast(message, error = false) {
  const t = document.getElementById("toast");
  t.textContent = message;
  t.className = "toast" + (error ? " error" : "");
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => t.classList.add("hidden"), 4000);
}
async function api(path, options = {}) {
  const init = { ...options, headers: { Accept: "application/json", ...(options.headers || {}) } };
  if (options.json !== undefined) {
    init.body = JSON.stringify(options.json);
    init.headers["Content-Type"] = "application/json";
  }
  const response = await fetch("/api" + path, init);
  if (response.status === 204) return null;
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const message = (body && (body.detail || body.title)) || response.statusText;
    toast(message, true);
    throw new Error(message);
  }
  return body;
}
function badge(text, kind) { return el("span", { class: "badge " + (kind || "") }, text); }
const statusLabels = { verified: "verified", found_elsewhere: "found elsewhere", not_found: "not found", unchecked: "unchecked" };
const statusIcons = { verified: "✓", found_elsewhere: "≈", not_found: "✗", unchecked: "?" };

// ---------- router ----------
function route() {
  const token = ++routeToken;
  if (streaming) { streaming.abort(); streaming = null; }
  document.getElementById("viewer").classList.add("hidden");
  const parts = location.hash.replace(/^#\/?/, "").split("/").filter(Boolean);
  if (parts[0] === "sets" && parts[1]) {
    return setPage(parts[1], parts[2] || "documents", parts[3], token);
  }
  return setsPage(token);
}
window.addEventListener("hashchange", route);
window.addEventListener("DOMContentLoaded", route);

// ---------- document sets ----------
async function setsPage(token) {
  document.title = "Document sets · Dossier";
  const name = el("input", { type: "text", placeholder: "New set, e.g. Acme MSA 2025", id: "new-set-name", size: 36 });
  const create = async (event) => {
    event.preventDefault();
    if (!name.value.trim()) return name.focus();
    const created = await api("/document-sets", { method: "POST", json: { name: name.value } });
    location.hash = "#/sets/" + created.id;
  };
  const body = el("tbody");
  app.replaceChildren(
    el("div", { class: "row" }, el("h1", {}, "Document sets"), el("span", { class: "spacer" }),
      el("form", { class: "row", onsubmit: create }, name, el("button", { type: "submit", id: "create-set" }, "Create set"))),
    el("p", { class: "muted" }, "Each set is read whole by the model: every question and review sees every document."),
    el("div", { class: "card" }, el("table", {},
      el("thead", {}, el("tr", {}, el("th", {}, "Name"), el("th", { class: "num" }, "Documents"), el("th", { class: "num" }, "Tokens"),
        el("th", {}, "Capacity"), el("th", {}, "Prefix cache"), el("th", {}, "Updated"), el("th", {}))),
      body)));
  const sets = await api("/document-sets");
  if (token !== routeToken) return;
  if (!sets.length) body.append(el("tr", {}, el("td", { colspan: 7, class: "empty" }, "No document sets yet. Create one to upload contracts or a codebase.")));
  for (const set of sets) {
    const nameCell = el("td", {}, el("a", { class: "set-name", href: "#/sets/" + set.id }, set.name));
    const rename = async () => {
      const input = el("input", { type: "text", value: set.name, class: "rename-input" });
      const save = async (e) => { e.preventDefault(); await api("/document-sets/" + set.id, { method: "PATCH", json: { name: input.value } }); route(); };
      nameCell.replaceChildren(el("form", { class: "row", onsubmit: save }, input, el("button", { type: "submit" }, "Save")));
      input.focus();
    };
    const remove = async () => {
      if (!confirm(`Delete "${set.name}" with its documents, conversations and reviews?`)) return;
      await api("/document-sets/" + set.id, { method: "DELETE" });
      toast("Deleted " + set.name);
      route();
    };
    body.append(el("tr", { "data-set": set.id }, nameCell,
      el("td", { class: "num" }, fmt.format(set.documentCount)),
      el("td", { class: "num" }, fmt.format(set.totalTokens)),
      el("td", {}, capacityBar(set.capacity, true)),
      el("td", {}, cacheBadge(set.prefixCache)),
      el("td", { class: "muted small" }, when(set.updatedAt)),
      el("td", { class: "actions" }, el("button", { class: "ghost", onclick: rename }, "Rename"), " ",
        el("button", { class: "danger", onclick: remove }, "Delete"))));
  }
}

function capacityBar(capacity, compact) {
  if (!capacity) return "";
  const share = capacity.tokensAvailable ? capacity.tokensNeeded / capacity.tokensAvailable : 0;
  const gauge = el("div", { class: "gauge" + (capacity.fits ? "" : " over"), title: `${fmt.format(capacity.tokensNeeded)} of ${fmt.format(capacity.tokensAvailable)} tokens` },
    el("div", { style: `width:${Math.min(100, Math.max(share * 100, 0.8)).toFixed(1)}%` }));
  if (compact) return el("div", { style: "min-width:120px" }, gauge, el("span", { class: "small muted" }, (share * 100).toFixed(1) + "%"));
  return el("div", { id: "capacity" }, el("div", { class: "muted small" }, "DCA context used"),
    el("div", { class: "big" }, fmt.format(capacity.tokensNeeded), el("span", { class: "muted small" }, ` / ${fmt.format(capacity.tokensAvailable)} tokens`)),
    gauge, el("div", { class: "small " + (capacity.fits ? "muted" : "") }, capacity.fits
      ? `${(share * 100).toFixed(1)}% of the model's context — ${fmt.format(capacity.tokensAvailable - capacity.tokensNeeded)} tokens left for questions and answers`
      : "The set does not fit the model's context: remove documents"));
}

function cacheBadge(cache, total) {
  if (!cache) return badge("—");
  switch (cache.status) {
    case "ready": return badge("● Ready", "ok");
    case "computing": {
      const pct = cache.tokenCount ? Math.round(100 * cache.progressTokens / cache.tokenCount) : 0;
      return badge(`◌ Computing ${pct}%`, "info");
    }
    case "stale": return badge("Stale", "warn");
    case "failed": return el("span", { title: cache.error || "" }, badge("Failed", "bad"));
    default: return badge("Not computed");
  }
}

// ---------- one set ----------
async function setPage(setId, tab, sub, token) {
  const set = await api("/document-sets/" + setId).catch(() => null);
  if (token !== routeToken) return;
  if (!set) { app.replaceChildren(el("div", { class: "card empty" }, "This document set does not exist. ", el("a", { href: "#/" }, "All sets"))); return; }
  document.title = set.name + " · Dossier";
  const header = el("div", {},
    el("div", { class: "small" }, el("a", { href: "#/" }, "Document sets"), " / "),
    el("div", { class: "row" }, el("h1", { id: "set-title" }, set.name), el("span", { class: "spacer" }),
      el("span", { class: "muted small" }, `version ${set.contentVersion} · updated ${when(set.updatedAt)}`)));
  const stats = el("div", { class: "stats" },
    el("div", { class: "card" }, capacityBar(set.capacity, false)),
    el("div", { class: "card" }, el("div", { class: "muted small" }, "Documents"), el("div", { class: "big", id: "doc-count" }, fmt.format(set.documentCount)),
      el("div", { class: "small muted" }, fmt.format(set.totalTokens) + " tokens")),
    el("div", { class: "card", id: "prefix-cache" }, el("div", { class: "muted small" }, "Prefix cache"), el("div", { style: "margin:8px 0" }, cacheBadge(set.prefixCache)),
      el("div", { class: "small muted" }, cacheText(set.prefixCache))));
  const tabs = el("div", { class: "tabs" }, ["documents", "ask", "reviews"].map(name =>
    el("a", { href: `#/sets/${setId}/${name}`, class: tab === name ? "active" : "", id: "tab-" + name },
      { documents: "Documents", ask: "Ask", reviews: "Reviews" }[name])));
  const content = el("div", {});
  app.replaceChildren(header, stats, tabs, content);
  pollCache(setId, set.prefixCache, token);
  if (tab === "ask") return askTab(set, content, sub, token);
  if (tab === "reviews") return reviewsTab(set, content, sub, token);
  return documentsTab(set, content, token);
}

function cacheText(cache) {
  if (!cache || cache.status === "none") return "Computed after the next upload or question";
  if (cache.status === "ready") return `${fmt.format(cache.tokenCount)} tokens cached${cache.fileSizeBytes ? " · " + bytes(cache.fileSizeBytes) : ""}: questions start at once`;
  if (cache.status === "computing") return `${fmt.format(cache.progressTokens)} of ${fmt.format(cache.tokenCount)} tokens`;
  if (cache.status === "stale") return "The set changed since: will be recomputed";
  if (cache.status === "failed") return cache.error || "Failed";
  return "";
}

async function pollCache(setId, cache, token) {
  if (!cache || cache.status !== "computing") return;
  await new Promise(r => setTimeout(r, 1000));
  if (token !== routeToken) return;
  const set = await api("/document-sets/" + setId).catch(() => null);
  if (!set || token !== routeToken) return;
  const box = document.getElementById("prefix-cache");
  if (box) box.replaceChildren(el("div", { class: "muted small" }, "Prefix cache"), el("div", { style: "margin:8px 0" }, cacheBadge(set.prefixCache)),
    el("div", { class: "small muted" }, cacheText(set.prefixCache)));
  pollCache(setId, set.prefixCache, token);
}

// ---------- documents ----------
async function documentsTab(set, content, token) {
  const input = el("input", { type: "file", multiple: true, id: "file-input", class: "file-input" });
  const uploads = el("div", { class: "uploads", id: "uploads" });
  const drop = el("div", { class: "drop", id: "drop", onclick: () => input.click() },
    el("div", { class: "big" }, "Drop files here"),
    el("div", { class: "small" }, "PDF, DOCX, text, Markdown, source files, or a .zip of a codebase — or click to choose"));
  drop.addEventListener("dragover", e => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", e => { e.preventDefault(); drop.classList.remove("over"); uploadFiles(set, [...e.dataTransfer.files], uploads, token); });
  input.addEventListener("change", () => uploadFiles(set, [...input.files], uploads, token));
  const body = el("tbody", { id: "documents" });
  content.replaceChildren(el("div", { class: "card" }, drop, input, uploads),
    el("div", { class: "card" }, el("h2", {}, "Documents"), el("table", {},
      el("thead", {}, el("tr", {}, el("th", {}, "File"), el("th", {}, "Type"), el("th", { class: "num" }, "Size"),
        el("th", { class: "num" }, "Pages / lines / ¶"), el("th", { class: "num" }, "Tokens"), el("th", {}))), body)));
  const documents = await api(`/document-sets/${set.id}/documents`);
  if (token !== routeToken) return;
  if (!documents.length) body.append(el("tr", {}, el("td", { colspan: 6, class: "empty" }, "No documents yet.")));
  for (const d of documents) {
    const unit = { page: "pages", line: "lines", paragraph: "¶" }[d.anchorKind] || "";
    body.append(el("tr", {},
      el("td", {}, el("a", { href: "javascript:void 0", onclick: () => openViewer(set.id, d.id, null) }, d.path)),
      el("td", {}, badge(typeLabel(d))),
      el("td", { class: "num" }, bytes(d.sizeBytes)),
      el("td", { class: "num" }, d.anchorCount ? `${fmt.format(d.anchorCount)} ${unit}` : "—"),
      el("td", { class: "num" }, fmt.format(d.tokenCount)),
      el("td", { class: "actions" }, el("a", { href: `/api/document-sets/${set.id}/documents/${d.id}/content`, target: "_blank" }, "Original"), " ",
        el("button", { class: "danger", onclick: async () => {
          if (!confirm("Remove " + d.path + "?")) return;
          await api(`/document-sets/${set.id}/documents/${d.id}`, { method: "DELETE" }); route();
        } }, "Remove"))));
  }
}

function typeLabel(d) {
  const ext = (d.path.match(/\.([a-z0-9]+)$/i) || [])[1];
  return ext ? ext.toUpperCase() : d.mediaType;
}

async function uploadFiles(set, files, uploads, token) {
  for (const file of files) {
    const bar = el("div");
    const state = el("span", { class: "small muted" }, "waiting");
    const row = el("div", { class: "upload" }, el("span", {}, file.name, " ", el("span", { class: "muted small" }, bytes(file.size))),
      el("div", { class: "bar" }, bar), state);
    uploads.append(row);
    file.row = { row, bar, state };
  }
  let any = false;
  for (const file of files) {
    const { row, bar, state } = file.row;
    try {
      await new Promise((resolve, reject) => {
        const xhr = new XMLHttpRequest();
        xhr.open("POST", `/api/document-sets/${set.id}/documents`);
        xhr.setRequestHeader("Accept", "application/json");
        xhr.upload.onprogress = e => {
          if (e.lengthComputable) { bar.style.width = (100 * e.loaded / e.total) + "%"; state.textContent = Math.round(100 * e.loaded / e.total) + "%"; }
        };
        xhr.upload.onload = () => { state.textContent = "reading…"; };
        xhr.onload = () => {
          if (xhr.status >= 200 && xhr.status < 300) return resolve();
          let message = xhr.statusText;
          try { const p = JSON.parse(xhr.responseText); message = p.detail || p.title; } catch (ignored) { /* not JSON */ }
          reject(new Error(message));
        };
        xhr.onerror = () => reject(new Error("network error"));
        const form = new FormData();
        form.append("file", file, file.name);
        xhr.send(form);
      });
      bar.style.width = "100%";
      row.classList.add("done");
      state.textContent = "✓ stored";
      any = true;
    } catch (e) {
      row.classList.add("failed");
      bar.style.width = "100%";
      state.textContent = "✗ failed";
      row.title = e.message;
      toast(file.name + ": " + e.message, true);
    }
  }
  if (any && token === routeToken) setTimeout(() => { if (token === routeToken) route(); }, 600);
}

// ---------- ask ----------
async function askTab(set, content, conversationId, token) {
  const list = el("div", { class: "card convs", id: "conversations" });
  const thread = el("div", { class: "card thread" });
  content.replaceChildren(el("div", { class: "ask" }, list, thread));
  const conversations = await api(`/document-sets/${set.id}/conversations`);
  if (token !== routeToken) return;
  list.append(el("button", { id: "new-conversation", style: "width:100%;margin-bottom:8px", onclick: async () => {
    const created = await api(`/document-sets/${set.id}/conversations`, { method: "POST", json: {} });
    location.hash = `#/sets/${set.id}/ask/${created.id}`;
  } }, "+ New conversation"));
  if (!conversations.length) list.append(el("div", { class: "muted small", style: "padding:8px" }, "No conversations yet."));
  for (const c of conversations) {
    list.append(el("a", { href: `#/sets/${set.id}/ask/${c.id}`, class: c.id === conversationId ? "active" : "" },
      el("div", {}, c.title), el("div", { class: "small muted" }, when(c.createdAt))));
  }
  const messages = el("div", { class: "messages", id: "messages" });
  const question = el("textarea", { id: "question", rows: 2, placeholder: "Ask about the whole set, e.g. Who may terminate, and on what notice?" });
  const send = el("button", { id: "send" }, "Ask");
  const stop = el("button", { id: "stop", class: "danger hidden" }, "Stop");
  thread.replaceChildren(messages, el("form", { class: "composer" }, question, send, stop));
  let conversation = null;
  if (conversationId) {
    conversation = await api(`/document-sets/${set.id}/conversations/${conversationId}`).catch(() => null);
    if (token !== routeToken) return;
  }
  if (conversation) conversation.messages.forEach(m => messages.append(messageView(set.id, m)));
  else messages.append(el("div", { class: "empty" }, "Ask a question. The model reads every document of the set, cites them, and each quote is checked against the text."));
  const ask = async (event) => {
    event.preventDefault();
    const text = question.value.trim();
    if (!text) return question.focus();
    if (!conversation) {
      conversation = await api(`/document-sets/${set.id}/conversations`, { method: "POST", json: { title: text.slice(0, 80) } });
      history.replaceState(null, "", `#/sets/${set.id}/ask/${conversation.id}`);
      messages.replaceChildren();
    }
    question.value = "";
    messages.append(messageView(set.id, { role: "user", text }));
    const answer = el("div", { class: "msg assistant streaming", id: "streaming-answer" });
    messages.append(answer);
    send.disabled = true; stop.classList.remove("hidden");
    const controller = new AbortController();
    streaming = controller;
    stop.onclick = (e) => { e.preventDefault(); controller.abort(); };
    let text2 = "";
    try {
      const response = await fetch(`/api/document-sets/${set.id}/conversations/${conversation.id}/messages`, {
        method: "POST", signal: controller.signal,
        headers: { "Content-Type": "application/json", Accept: "text/event-stream" }, body: JSON.stringify({ question: text }) });
      if (!response.ok) {
        const p = await response.json().catch(() => ({}));
        throw new Error(p.detail || p.title || response.statusText);
      }
      await readEvents(response.body, (name, data) => {
        if (name === "token") { text2 += JSON.parse(data).text; answer.textContent = text2; messages.scrollTop = messages.scrollHeight; }
        else if (name === "done") { answer.replaceWith(messageView(set.id, JSON.parse(data).answer)); }
        else if (name === "error") { const p = JSON.parse(data); throw new Error(p.detail || p.title); }
      });
    } catch (e) {
      answer.classList.remove("streaming");
      if (e.name === "AbortError") answer.append(el("span", { class: "meta" }, "Stopped."));
      else { answer.append(el("span", { class: "meta" }, "Error: " + e.message)); toast(e.message, true); }
    } finally {
      if (streaming === controller) streaming = null;
      send.disabled = false; stop.classList.add("hidden");
      messages.scrollTop = messages.scrollHeight;
    }
  };
  thread.querySelector("form").addEventListener("submit", ask);
  question.addEventListener("keydown", e => { if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); ask(e); } });
  messages.scrollTop = messages.scrollHeight;
}

/** Reads a text/event-stream body, calling onEvent(name, data) for each event. */
async function readEvents(body, onEvent) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = "message";
      const data = [];
      for (const line of frame.split("\n")) {
        if (line.startsWith("event:")) name = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      onEvent(name, data.join("\n"));
    }
  }
}

const CITATION = /\[([^\[\],\n]+),\s*([^\]\n]+)\]\s*["“]([^"”\n]+)["”]/g;

function messageView(setId, m) {
  const node = el("div", { class: "msg " + m.role });
  if (m.role !== "assistant" || !m.citations || !m.citations.length) {
    node.append(m.text);
  } else {
    // The server finds citations with the same pattern, in order: the k-th match is citations[k].
    let last = 0, k = 0;
    for (const match of m.text.matchAll(CITATION)) {
      node.append(m.text.slice(last, match.index));
      const c = m.citations[k++];
      node.append(c ? citationLink(setId, c, match[0]) : match[0]);
      last = match.index + match[0].length;
    }
    node.append(m.text.slice(last));
  }
  if (m.role === "assistant" && m.stats) {
    const s = m.stats;
    node.append(el("span", { class: "meta" }, [
      s.completionTokens != null ? `${s.completionTokens} tokens` : null,
      s.cachedPromptTokens ? `${fmt.format(s.cachedPromptTokens)} prompt tokens from cache` : null,
      s.timeToFirstTokenMillis != null ? `first token ${s.timeToFirstTokenMillis} ms` : null,
      s.totalMillis != null ? `${(s.totalMillis / 1000).toFixed(1)} s` : null,
      s.finishReason].filter(Boolean).join(" · ")));
  }
  if (m.citations && m.citations.length) {
    node.append(el("div", { class: "citations" }, el("span", { class: "small muted" }, "Citations"),
      m.citations.map(c => el("div", {}, citationLink(setId, c, `${c.path}, ${c.anchorLabel}`), " ", el("span", { class: "quote small" }, `“${c.quote}”`)))));
  }
  return node;
}

function citationLink(setId, c, text) {
  const status = (c.status || "unchecked").toLowerCase();
  const title = `${statusLabels[status]}${c.foundAt && status === "found_elsewhere" ? " — at " + c.foundAt : ""}`;
  return el("a", { href: "javascript:void 0", class: "cite " + status, title, "data-status": status,
    onclick: () => c.documentId ? openViewer(setId, c.documentId, c) : toast(`${c.path} is not in this set`, true) },
    el("span", {}, statusIcons[status]), text, el("span", { class: "small" }, " · " + statusLabels[status]));
}

// ---------- document viewer ----------
async function openViewer(setId, documentId, citation) {
  const doc = await api(`/document-sets/${setId}/documents/${documentId}`);
  const viewer = document.getElementById("viewer");
  document.getElementById("viewer-title").textContent = doc.document.path;
  const where = citation ? `${citation.anchorLabel} · ${statusLabels[(citation.status || "unchecked").toLowerCase()]}` +
    (citation.foundAt && citation.foundAt !== citation.anchorLabel ? ` (found at ${citation.foundAt})` : "") : "";
  document.getElementById("viewer-where").textContent = where;
  const pre = document.getElementById("viewer-text");
  pre.replaceChildren();
  const text = doc.text;
  const start = citation && citation.start != null ? citation.start : -1;
  const end = citation && citation.end != null ? citation.end : -1;
  // Cut points: anchor starts (markers) and the highlight's ends.
  const markers = new Map();
  for (const a of doc.anchors) markers.set(a.start, a);
  const cuts = new Set([0, text.length, ...markers.keys()]);
  if (start >= 0) { cuts.add(start); cuts.add(end); }
  const points = [...cuts].filter(p => p >= 0 && p <= text.length).sort((a, b) => a - b);
  let mark = null;
  for (let i = 0; i < points.length - 1; i++) {
    const from = points[i], to = points[i + 1];
    const anchor = markers.get(from);
    if (anchor) pre.append(el("span", { class: "anchor", id: `anchor-${anchor.kind}-${anchor.number}` },
      anchor.kind === "LINE" ? String(anchor.number).padStart(4) + "  " : anchor.kind === "PAGE" ? `\n── page ${anchor.number} ──\n` : `[¶ ${anchor.number}] `));
    const piece = text.slice(from, to);
    if (start >= 0 && from >= start && to <= end) {
      if (!mark) { mark = el("mark", { id: "highlight" }); pre.append(mark); }
      mark.append(piece);
    } else {
      pre.append(piece);
    }
  }
  viewer.classList.remove("hidden");
  const target = document.getElementById("highlight");
  if (target) target.scrollIntoView({ block: "center" });
  else if (citation) toast("The quoted text was not found in this document", true);
}
document.getElementById("viewer-close").addEventListener("click", () => document.getElementById("viewer").classList.add("hidden"));
document.getElementById("viewer").addEventListener("click", e => { if (e.target.id === "viewer") e.target.classList.add("hidden"); });
document.addEventListener("keydown", e => { if (e.key === "Escape") document.getElementById("viewer").classList.add("hidden"); });

// ---------- reviews ----------
async function reviewsTab(set, content, runId, token) {
  const start = async (kind) => {
    const run = await api(`/document-sets/${set.id}/reviews`, { method: "POST", json: { kind } });
    location.hash = `#/sets/${set.id}/reviews/${run.id}`;
  };
  const runsBody = el("tbody", { id: "runs" });
  const detail = el("div", { id: "run-detail" });
  content.replaceChildren(
    el("div", { class: "card" }, el("div", { class: "row" },
      el("div", {}, el("h2", { style: "margin:0" }, "Review agents"),
        el("div", { class: "muted small" }, "The model reads the whole set; every quote in a finding is checked against the text.")),
      el("span", { class: "spacer" }),
      el("button", { id: "run-contract", onclick: () => start("contract") }, "Run contract review"),
      el("button", { id: "run-code", class: "ghost", onclick: () => start("code") }, "Run code review")),
      el("table", { style: "margin-top:12px" }, el("thead", {}, el("tr", {}, el("th", {}, "Review"), el("th", {}, "Status"),
        el("th", { class: "num" }, "Findings"), el("th", { class: "num" }, "Errors"), el("th", {}, "Model"), el("th", {}, "Started"))), runsBody)),
    detail);
  const runs = await api(`/document-sets/${set.id}/reviews`);
  if (token !== routeToken) return;
  if (!runs.length) runsBody.append(el("tr", {}, el("td", { colspan: 6, class: "empty" }, "No reviews yet.")));
  for (const r of runs) {
    runsBody.append(el("tr", {}, el("td", {}, el("a", { href: `#/sets/${set.id}/reviews/${r.id}` }, r.kind === "CODE" ? "Code review" : "Contract review")),
      el("td", {}, runBadge(r)), el("td", { class: "num" }, r.findingCount), el("td", { class: "num" }, r.errorCount),
      el("td", { class: "small" }, r.model), el("td", { class: "small muted" }, when(r.createdAt))));
  }
  if (runId) showRun(set.id, runId, detail, token);
}

function runBadge(r) {
  if (r.status === "RUNNING") return badge(`◌ Running ${r.progressDone}/${r.progressTotal}`, "info");
  if (r.status === "FAILED") return el("span", { title: r.error || "" }, badge("Failed", "bad"));
  return r.errorCount ? badge(`Completed · ${r.errorCount} error rows`, "warn") : badge("Completed", "ok");
}

async function showRun(setId, runId, detail, token) {
  const run = await api(`/document-sets/${setId}/reviews/${runId}`).catch(() => null);
  if (!run || token !== routeToken) return;
  const code = run.kind === "CODE";
  const base = `/api/document-sets/${setId}/reviews/${runId}/export`;
  const rows = el("tbody", { id: "findings" });
  detail.replaceChildren(el("div", { class: "card" },
    el("div", { class: "row" }, el("h2", { style: "margin:0" }, (code ? "Code review" : "Contract review")), runBadge(run),
      el("span", { class: "muted small" }, `${run.model} · ${when(run.createdAt)}`), el("span", { class: "spacer" }),
      el("span", { class: "small muted" }, "Export"),
      ["json", "csv", "md"].map(f => el("a", { class: "button ghost", id: "export-" + f, href: `${base}.${f}`, download: true }, f.toUpperCase()))),
    run.error ? el("p", { class: "badge bad" }, run.error) : null,
    el("table", { style: "margin-top:12px" }, el("thead", {}, el("tr", {}, el("th", {}, "File"), el("th", {}, "Category"),
      code ? el("th", {}, "Severity") : null, el("th", {}, "Location"), el("th", {}, "Quote"), el("th", {}, code ? "Explanation" : "Risk"))), rows)));
  if (!run.findings.length) rows.append(el("tr", {}, el("td", { colspan: 6, class: "empty" }, run.status === "RUNNING" ? "Working…" : "No findings.")));
  for (const f of run.findings) {
    if (f.error) {
      rows.append(el("tr", { class: "error" }, el("td", {}, f.path || "—"), el("td", { colspan: code ? 5 : 4 },
        badge("Error", "bad"), " ", f.error,
        f.raw ? el("details", {}, el("summary", { class: "small muted" }, "model output"), el("pre", { class: "code", style: "white-space:pre-wrap" }, f.raw)) : null)));
      continue;
    }
    const c = { documentId: f.documentId, path: f.path, anchorLabel: f.location || "", quote: f.quote, status: f.quoteStatus, start: f.start, end: f.end };
    rows.append(el("tr", {}, el("td", {}, f.path), el("td", {}, badge(f.category.replaceAll("_", " "), "info")),
      code ? el("td", {}, badge(f.severity, { critical: "bad", high: "bad", medium: "warn", low: "", info: "" }[f.severity])) : null,
      el("td", { class: "small" }, f.location || "—"),
      el("td", {}, f.quote ? el("div", {}, el("span", { class: "quote" }, `“${f.quote}”`), " ", citationLink(setId, c, "")) : "—"),
      el("td", {}, f.note || "", f.repairs.length ? el("div", { class: "small muted", title: f.repairs.join("\n") }, "repaired: " + f.repairs.join("; ")) : null)));
  }
  if (run.status === "RUNNING") setTimeout(() => { if (token === routeToken) route(); }, 1500);
}
