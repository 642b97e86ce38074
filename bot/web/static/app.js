// The staff page: one search box, the answer's lead, its quotes with a "Sao chép" button each,
// a province filter, this browser's recent questions and the list of notices.
//
// Everything the server sends (answers, quotes, titles, questions) is put in as text; see
// common.js.

import { OFFLINE, api, append, clear, el, errorText, formatDate, sectionName, store }
  from "./common.js";

const STAFF_TOKEN = "chithi.staffToken"; // sessionStorage: asked once per tab
const RECENT = "chithi.recent"; // localStorage: this browser's last questions
const PROVINCE = "chithi.province"; // sessionStorage: the filter survives a reload of the tab
// sessionStorage: this tab's conversation, so that "còn Gia Lai thì sao?" follows the last
// question; "Câu hỏi mới" starts another.
const CONVERSATION = "chithi.conversation";
const RECENT_MAX = 20;

const local = store("local");
const session = store("session");
const $ = (id) => document.getElementById(id);

const ui = {
  console: $("console"),
  form: $("ask-form"),
  box: $("q"),
  province: $("province"),
  dateFrom: $("date-from"),
  dateTo: $("date-to"),
  scope: $("scope"),
  status: $("status"),
  answer: $("answer"),
  recent: $("recent"),
  recentEmpty: $("recent-empty"),
  recentClear: $("recent-clear"),
  documents: $("documents"),
  docCount: $("doc-count"),
  tokenPanel: $("token-panel"),
  tokenForm: $("token-form"),
  tokenInput: $("token-input"),
  tokenError: $("token-error"),
  newConversation: $("new-conversation"),
};

const state = {
  token: session.get(STAFF_TOKEN),
  inflight: null, // AbortController of the question being asked
  shown: null, // the question whose answer is on screen
  scopeDoc: null, // {doc_id, title}: ask within this document only
  recall: -1, // index into the recent list while ArrowUp/ArrowDown walk it
  conversation: session.get(CONVERSATION) || newConversationId(),
};

/** A new conversation id for this tab (letters, digits and "-", as the API takes). */
function newConversationId() {
  const id = (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2))
    .replace(/[^A-Za-z0-9-]/g, "");
  session.set(CONVERSATION, id);
  return id;
}

/** Start over: the next question is not read as a follow-up of the last one. */
function startOver() {
  state.conversation = newConversationId();
  setStatus("Đã bắt đầu cuộc hỏi mới: câu sau không tiếp nối câu trước.");
}

// -- Status line ------------------------------------------------------------------------------

function setStatus(text, kind = "") {
  ui.status.textContent = text;
  ui.status.className = kind ? `status status-${kind}` : "status";
}

// -- Staff token ------------------------------------------------------------------------------

function askForToken(message = "") {
  session.remove(STAFF_TOKEN);
  state.token = null;
  ui.console.hidden = true;
  ui.tokenPanel.hidden = false;
  ui.tokenError.textContent = message;
  ui.tokenInput.value = "";
  ui.tokenInput.focus();
}

ui.tokenForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const token = ui.tokenInput.value.trim();
  if (!token) return;
  // The province list is a cheap staff call: it tells whether the token is accepted.
  let result;
  try {
    result = await api("/api/provinces", { token });
  } catch {
    ui.tokenError.textContent = OFFLINE;
    return;
  }
  if (result.status === 401 || result.status === 403) {
    ui.tokenError.textContent = "Sai mã nhân viên";
    ui.tokenInput.select();
    return;
  }
  state.token = token;
  session.set(STAFF_TOKEN, token);
  ui.tokenPanel.hidden = true;
  ui.console.hidden = false;
  start();
});

/** Whether a failed call means the token is missing or wrong (then the token form shows). */
function refusedToken(result) {
  if (result.status !== 401 && result.status !== 403) return false;
  askForToken(state.token ? "Mã nhân viên không còn đúng. Vui lòng nhập lại." : "");
  return true;
}

// -- Asking -----------------------------------------------------------------------------------

async function ask(text) {
  const question = text.trim();
  if (!question) return;
  remember(question);
  state.inflight?.abort(); // a newer question wins
  const controller = new AbortController();
  state.inflight = controller;
  setStatus("Đang tìm…", "busy");
  ui.answer.classList.add("stale"); // the old answer stays, dimmed: nothing jumps
  const body = { question, conversation_id: state.conversation };
  if (ui.province.value) body.province = ui.province.value;
  const scope = state.scopeDoc; // kept: the note under the answer names it
  if (scope) body.doc_id = scope.doc_id;
  if (ui.dateFrom.value) body.date_from = ui.dateFrom.value;
  if (ui.dateTo.value) body.date_to = ui.dateTo.value;
  let result;
  try {
    result = await api("/api/ask", {
      method: "POST", body, token: state.token, signal: controller.signal,
    });
  } catch (error) {
    if (error.name === "AbortError") return;
    finish(controller);
    setStatus(OFFLINE, "error");
    return;
  }
  if (controller.signal.aborted) return;
  finish(controller);
  if (refusedToken(result)) return;
  if (!result.ok) {
    const text = result.status === 413
      ? "Câu hỏi dài quá. Vui lòng hỏi ngắn gọn, mỗi lần một ý." : errorText(result);
    setStatus(text, "error");
    return;
  }
  setStatus(timing(result.data));
  state.shown = question;
  renderAnswer(result.data, filterNote(body, scope));
}

function finish(controller) {
  if (state.inflight === controller) state.inflight = null;
  ui.answer.classList.remove("stale");
}

function timing(data) {
  if (typeof data.latency_ms !== "number") return "";
  const seconds = (data.latency_ms / 1000).toLocaleString("vi-VN", { maximumFractionDigits: 2 });
  return `Trả lời trong ${seconds} giây`;
}

// -- The answer -------------------------------------------------------------------------------

/** The answer's first line is its lead; what follows says what the notices leave out. */
function splitAnswer(answer) {
  const [lead = "", ...rest] = String(answer || "").split("\n");
  return { lead: lead.trim(), note: rest.join("\n").trim() };
}

/** Show an answer; `limits` says which notices it was looked for in (or is empty). */
function renderAnswer(data, limits = "") {
  clear(ui.answer);
  // What is on screen, for styles and for the browser tests, which wait on the counter.
  ui.answer.dataset.status = data.status;
  ui.answer.dataset.answers = String(Number(ui.answer.dataset.answers || 0) + 1);
  const { lead, note } = splitAnswer(data.answer);
  const citations = Array.isArray(data.citations) ? data.citations : [];
  const status = data.status;
  if (data.understood_as) ui.answer.append(understoodBlock(data.understood_as));
  if (status === "not_found") {
    ui.answer.append(notFoundBlock(lead, note, data.related_topics));
  } else {
    ui.answer.append(
      el("div", { className: `verdict verdict-${status === "refused" ? "refused" : "answered"}` },
        el("p", { className: "lead", text: lead }),
        note ? el("p", { className: "note", text: note }) : null),
    );
  }
  if (citations.length) {
    ui.answer.append(
      el("ol", { className: "citations", attrs: { "aria-label": "Trích dẫn" } },
        citations.map((c, i) => citationCard(withSource(c), i, lead))),
    );
  }
  if (limits && status !== "refused") {
    ui.answer.firstChild.append(el("p", { className: "scope-note", text: limits }));
  }
}

/** How a follow-up was read, and one click to ask the message on its own instead. */
function understoodBlock(question) {
  const typed = state.shown;
  return el("p", { className: "understood" },
    el("span", { text: `Hiểu câu hỏi là: ${question}` }), " ",
    el("button", {
      type: "button", className: "link-button", text: "Hỏi riêng câu này",
      on: { click: () => { startOver(); if (typed) ask(typed); } },
    }));
}

/** What a question was limited to, if anything: a "not found" may only mean "not here". */
function filterNote(body, scope) {
  const parts = [];
  if (body.province) parts.push(`văn bản của ${body.province}`);
  if (scope) parts.push(`văn bản “${scope.title}”`);
  if (body.date_from || body.date_to) {
    const from = body.date_from ? ` từ ${formatDate(body.date_from)}` : "";
    const to = body.date_to ? ` đến ${formatDate(body.date_to)}` : "";
    parts.push(`văn bản ban hành${from}${to}`);
  }
  return parts.length ? `Chỉ tìm trong ${parts.join(", ")}.` : "";
}

/** Not in the notices: the hotline first and big, then what the notices do cover. */
function notFoundBlock(lead, note, topics) {
  const phone = /(\d[\d .]{4,}\d)/.exec(lead); // "1900 9095" in "… đường dây nóng 1900 9095: …"
  const block = el("div", { className: "verdict verdict-not-found", attrs: { role: "alert" } },
    phone ? el("p", { className: "hotline" }, "Đường dây nóng ", el("strong", { text: phone[1] }))
      : null,
    el("p", { className: "lead", text: lead }),
    note ? el("p", { className: "note", text: note }) : null);
  if (Array.isArray(topics) && topics.length) {
    block.append(
      el("p", { className: "related-head", text: "Các văn bản hiện có đề cập đến:" }),
      el("ul", { className: "related" }, topics.map((topic) => el("li", {},
        el("button", {
          type: "button", className: "chip", text: topic, title: "Hỏi về chủ đề này",
          on: { click: () => { ui.box.value = topic; ask(topic); } },
        })))),
    );
  }
  return block;
}

/** Documents seen in the list, by id: a citation's province and short source come from here. */
const knownDocuments = new Map();

/**
 * A citation with its short source line ("Gia Lai · TB 16/9/2021 · mục 8") and province, from
 * the document list (the ask contract has only title, date and section); as it is otherwise.
 */
function withSource(c) {
  const doc = knownDocuments.get(c.doc_id);
  if (c.source || !doc || !doc.short) return c;
  const label = [doc.short, sectionName(c.section)].filter(Boolean).join(" · ");
  return { ...c, source: { label, province: doc.province } };
}

/** Where a quote comes from, in one line: the server's label, else title · date · section. */
function sourceLine(c) {
  if (c.source && c.source.label) return c.source.label;
  return [c.title, formatDate(c.date), sectionName(c.section)].filter(Boolean).join(" · ");
}

/** The server's label is short ('Gia Lai · TB 16/9/2021 · mục 8'): the title goes under it. */
function hasShortLabel(c) {
  return Boolean(c.source && c.source.label);
}

/** '(Nguồn: <title> (<province>), 16/9/2021, mục 8)': the source as it is read aloud. */
function citationText(c) {
  const province = c.source && c.source.province;
  const title = province ? `${c.title} (${province})` : c.title;
  const parts = [title, formatDate(c.date), sectionName(c.section)].filter(Boolean);
  return `(Nguồn: ${parts.join(", ")})`;
}

/**
 * The text "Sao chép" copies. The first quote is the one the lead was written from, so it
 * copies the lead; a later quote copies its own words, which the lead may not rest on.
 */
function copyTextFor(c, index, lead) {
  const words = index === 0 && lead ? lead : c.quote;
  return `${words}\n${citationText(c)}`;
}

function citationCard(c, index, lead) {
  const quote = el("blockquote", { className: "quote", text: c.quote });
  const button = el("button", { type: "button", className: "copy", text: "Sao chép" });
  button.addEventListener("click", async () => {
    const ok = await copyText(copyTextFor(c, index, lead));
    for (const other of ui.answer.querySelectorAll("button.copy")) {
      other.textContent = "Sao chép";
      other.classList.remove("copied", "failed");
    }
    button.textContent = ok ? "Đã chép" : "Không chép được";
    button.classList.add(ok ? "copied" : "failed");
    if (!ok) selectText(quote); // then Ctrl+C still works
  });
  return el("li", { className: "card", dataset: { docId: c.doc_id } },
    el("div", { className: "card-head" },
      el("span", { className: "card-num", text: `[${index + 1}]` }),
      el("span", { className: "source", text: sourceLine(c) }),
      button),
    hasShortLabel(c) ? el("p", { className: "card-title", text: c.title }) : null,
    validityNote(c),
    quote);
}

/** A quoted rule whose stated period is over, or whose document was replaced, says so. */
function validityNote(c) {
  const notes = [];
  if (c.expired && c.valid_until) {
    notes.push(`Thời hạn nêu trong văn bản đã qua (đến ${formatDate(c.valid_until)})`);
  }
  if (c.superseded_by) {
    const newer = knownDocuments.get(c.superseded_by);
    notes.push(`Văn bản đã được thay thế${newer ? ` bởi ${newer.short || newer.title}` : ""}`);
  }
  return notes.length ? el("p", { className: "validity", text: notes.join(" · ") }) : null;
}

// -- Clipboard --------------------------------------------------------------------------------

/**
 * Copy text: the async Clipboard API where the page may use it (a secure context: https or
 * localhost), else a hidden textarea and execCommand('copy'), which also works over plain
 * http on a LAN address. Resolves to whether the text was copied.
 */
async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      /* permission refused or no focus: try the old way */
    }
  }
  return copyWithTextarea(text);
}

function copyWithTextarea(text) {
  // One off-screen textarea, kept: select() needs a rendered element (not display: none).
  let area = document.getElementById("copy-buffer");
  if (!area) {
    area = el("textarea", {
      id: "copy-buffer", className: "copy-buffer",
      attrs: { readonly: "", tabindex: "-1", "aria-hidden": "true" },
    });
    document.body.append(area);
  }
  area.value = text;
  const focused = document.activeElement;
  area.select();
  let ok = false;
  try {
    ok = document.execCommand("copy");
  } catch {
    ok = false;
  }
  if (focused instanceof HTMLElement) focused.focus();
  return ok;
}

function selectText(node) {
  const range = document.createRange();
  range.selectNodeContents(node);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}

// -- Recent questions -------------------------------------------------------------------------

function recentQuestions() {
  try {
    const list = JSON.parse(local.get(RECENT) || "[]");
    return Array.isArray(list) ? list.filter((q) => typeof q === "string") : [];
  } catch {
    return [];
  }
}

function remember(question) {
  const list = [question, ...recentQuestions().filter((q) => q !== question)].slice(0, RECENT_MAX);
  local.set(RECENT, JSON.stringify(list));
  state.recall = -1;
  renderRecent(list);
}

function renderRecent(list = recentQuestions()) {
  clear(ui.recent);
  append(ui.recent, list.map((question) => el("li", {},
    el("button", {
      type: "button", className: "recent-item", text: question, title: question,
      on: { click: () => { ui.box.value = question; ask(question); ui.box.focus(); } },
    }))));
  ui.recentEmpty.hidden = list.length > 0;
  ui.recentClear.hidden = list.length === 0;
}

ui.recentClear.addEventListener("click", () => {
  local.remove(RECENT);
  renderRecent([]);
  ui.box.focus();
});

// -- Documents and provinces ------------------------------------------------------------------

async function loadProvinces() {
  let result;
  try {
    result = await api("/api/provinces", { token: state.token });
  } catch {
    return;
  }
  if (refusedToken(result) || !result.ok) return;
  const wanted = session.get(PROVINCE) || "";
  const provinces = Array.isArray(result.data.provinces) ? result.data.provinces : [];
  ui.province.replaceChildren(
    el("option", { value: "", text: "Tất cả các tỉnh" }),
    ...provinces.map((name) => el("option", { value: name, text: name })),
  );
  if (provinces.includes(wanted)) ui.province.value = wanted;
  markFilter();
  loadDocuments();
}

async function loadDocuments() {
  const province = ui.province.value;
  const path = province ? `/api/documents?province=${encodeURIComponent(province)}`
    : "/api/documents";
  let result;
  try {
    result = await api(path, { token: state.token });
  } catch {
    return;
  }
  if (refusedToken(result) || !result.ok) return;
  if (province !== ui.province.value) return; // the filter changed meanwhile
  const documents = Array.isArray(result.data.documents) ? result.data.documents : [];
  for (const d of documents) knownDocuments.set(d.doc_id, d);
  ui.docCount.textContent = `(${documents.length})`;
  clear(ui.documents);
  if (!documents.length) {
    ui.documents.append(el("li", { className: "muted", text: "Chưa có văn bản nào." }));
  }
  append(ui.documents, documents.map((d) => el("li", { className: "document" },
    el("button", {
      type: "button", className: "doc-pick", text: d.title,
      title: "Chỉ tìm trong văn bản này",
      on: { click: () => setScope(d) },
    }),
    el("span", {
      className: "doc-meta",
      text: [d.province, formatDate(d.date), `${d.paragraphs} đoạn`].filter(Boolean).join(" · "),
    }),
    // "đã được thay thế bởi …", "… thời hạn 14-20/9/2021 đã qua": only what is worth a look.
    d.superseded_by || d.periods_ended
      ? el("span", { className: "doc-status", text: d.status }) : null)));
}

/** A chosen province is easy to forget: the select is coloured while it filters. */
function markFilter() {
  ui.province.classList.toggle("filtering", ui.province.value !== "");
}

ui.province.addEventListener("change", () => {
  session.set(PROVINCE, ui.province.value);
  markFilter();
  loadDocuments();
  // The answer on screen was for the other filter: ask it again.
  if (state.shown && ui.box.value.trim() === state.shown) ask(state.shown);
  ui.box.focus();
});

function setScope(doc) {
  state.scopeDoc = doc ? { doc_id: doc.doc_id, title: doc.title } : null;
  clear(ui.scope);
  ui.scope.hidden = !doc;
  if (doc) {
    append(ui.scope, "Chỉ tìm trong: ",
      el("strong", { text: `${doc.title} (${formatDate(doc.date)})` }), " ",
      el("button", {
        type: "button", className: "link-button", text: "bỏ giới hạn",
        on: { click: () => setScope(null) },
      }));
  }
  ui.box.focus();
}

// -- Keyboard ---------------------------------------------------------------------------------

ui.form.addEventListener("submit", (event) => {
  event.preventDefault();
  ask(ui.box.value);
});

ui.newConversation.addEventListener("click", () => {
  startOver();
  ui.box.focus();
});

ui.box.addEventListener("keydown", (event) => {
  const list = recentQuestions();
  const walking = state.recall >= 0 && ui.box.value === list[state.recall];
  if (event.key === "ArrowUp" && (ui.box.value === "" || walking) && list.length) {
    // Walk back through the recent questions, newest first.
    event.preventDefault();
    state.recall = Math.min(walking ? state.recall + 1 : 0, list.length - 1);
    ui.box.value = list[state.recall];
  } else if (event.key === "ArrowDown" && walking) {
    event.preventDefault();
    state.recall -= 1;
    ui.box.value = state.recall >= 0 ? list[state.recall] : "";
  } else if (event.key === "Escape") {
    event.preventDefault();
    ui.box.value = "";
    state.recall = -1;
  }
});

ui.box.addEventListener("input", () => {
  state.recall = -1;
});

document.addEventListener("keydown", (event) => {
  const typing = event.target instanceof HTMLElement
    && event.target.closest("input, textarea, select, [contenteditable]");
  if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
    event.preventDefault();
    ui.box.focus();
    ui.box.select();
  }
});

// -- Start ------------------------------------------------------------------------------------

function start() {
  renderRecent();
  loadProvinces();
  ui.box.focus();
  // "Xem đầy đủ" links from a Zalo answer open the console with the question in ?q=.
  const linked = new URLSearchParams(window.location.search).get("q");
  if (linked) {
    ui.box.value = linked.slice(0, 1000);
    ask(ui.box.value);
  }
}

async function boot() {
  ui.box.focus(); // before anything else: the operator may type while the page loads
  renderRecent();
  let required = false;
  try {
    const result = await api("/api/whoami");
    required = Boolean(result.ok && result.data.staff_token_required);
  } catch {
    setStatus(OFFLINE, "error");
  }
  if (required && !state.token) {
    askForToken();
    return;
  }
  start();
}

boot();
