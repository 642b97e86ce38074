// The admin page: log in with the admin token, upload notices (drag and drop or the file
// chooser), remove them, and read which questions the notices did not answer.
//
// Replies from the server (upload messages, titles, questions) are put in as text; see
// common.js.

import { OFFLINE, api, append, clear, el, errorText, formatDate, store } from "./common.js";

const ADMIN_TOKEN = "chithi.adminToken"; // sessionStorage: forgotten when the tab closes
const WRONG_TOKEN = "Sai mã quản trị";

const session = store("session");
const $ = (id) => document.getElementById(id);

const ui = {
  loginPanel: $("login-panel"),
  loginForm: $("login-form"),
  loginToken: $("login-token"),
  loginError: $("login-error"),
  logout: $("logout"),
  panel: $("admin-panel"),
  dropzone: $("dropzone"),
  fileInput: $("file-input"),
  replaceId: $("replace-id"),
  facts: { date: $("fact-date"), province: $("fact-province"), supersedes: $("fact-supersedes") },
  results: $("upload-results"),
  days: $("days"),
  csv: $("csv"),
  counts: $("counts"),
  gaps: $("gaps"),
  statsStatus: $("stats-status"),
  documents: $("documents"),
  docCount: $("doc-count"),
  docsStatus: $("docs-status"),
};

let token = session.get(ADMIN_TOKEN);

// -- Login ------------------------------------------------------------------------------------

function showLogin(message = "") {
  token = null;
  session.remove(ADMIN_TOKEN);
  ui.panel.hidden = true;
  ui.logout.hidden = true;
  ui.loginPanel.hidden = false;
  ui.loginError.textContent = message;
  ui.loginToken.focus();
  if (message) ui.loginToken.select();
}

function showPanel() {
  ui.loginPanel.hidden = true;
  ui.panel.hidden = false;
  ui.logout.hidden = false;
}

/** A 401/403 from an admin call: the token is wrong (or was changed on the server). */
function refused(result) {
  if (result.status !== 401 && result.status !== 403) return false;
  showLogin(WRONG_TOKEN);
  return true;
}

ui.loginForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const typed = ui.loginToken.value.trim();
  if (!typed) return;
  ui.loginError.textContent = "";
  // The stats call is the cheapest admin call: it proves the token before anything shows.
  let result;
  try {
    result = await api(`/api/stats?days=${ui.days.value}`, { token: typed });
  } catch {
    ui.loginError.textContent = OFFLINE;
    return;
  }
  if (result.status === 401 || result.status === 403) {
    ui.loginError.textContent = WRONG_TOKEN;
    ui.loginToken.select();
    return;
  }
  if (!result.ok) {
    ui.loginError.textContent = errorText(result);
    return;
  }
  token = typed;
  session.set(ADMIN_TOKEN, typed);
  ui.loginToken.value = "";
  showPanel();
  renderStats(result.data);
  loadDocuments();
});

ui.logout.addEventListener("click", () => showLogin());

// -- Upload -----------------------------------------------------------------------------------

const STATUS_LABEL = {
  added: "Đã thêm",
  replaced: "Đã thay",
  unchanged: "Không đổi",
  conflict: "Chưa thêm",
  error: "Lỗi",
};

/** Upload the files one by one, each result shown under its file's name as it comes. */
async function uploadAll(files) {
  const replaceId = ui.replaceId.value.trim();
  const facts = currentFacts();
  let changed = false;
  for (const file of files) {
    changed = (await uploadOne(file, replaceId, facts)) || changed;
    if (!token) return; // the token was refused: the login form is up
  }
  if (replaceId) ui.replaceId.value = "";
  if (changed) {
    for (const input of Object.values(ui.facts)) input.value = ""; // they described these files
    loadDocuments();
  }
}

/** The date, province and replaced id typed for the next files. */
function currentFacts() {
  return Object.fromEntries(
    Object.entries(ui.facts).map(([name, input]) => [name, input.value.trim()]));
}

/**
 * POST one file; replaceId, when given, names the document it replaces; facts are what the
 * file does not state (date, province, supersedes), sent when filled in.
 */
async function uploadOne(file, replaceId = "", facts = {}) {
  const row = el("li", { className: "result result-working" },
    el("p", { className: "result-head" },
      el("span", { className: "result-file", text: file.name }),
      el("span", { className: "badge", text: "Đang tải…" })));
  ui.results.prepend(row);
  const form = new FormData();
  form.append("file", file, file.name);
  if (replaceId) {
    form.append("doc_id", replaceId);
    form.append("replace", "1");
  }
  for (const [name, value] of Object.entries(facts)) if (value) form.append(name, value);
  let result;
  try {
    result = await api("/api/documents", { method: "POST", body: form, token });
  } catch {
    showRow(row, file.name, "error", OFFLINE);
    return false;
  }
  if (refused(result)) {
    row.remove();
    return false;
  }
  if (!result.ok) {
    // 415 a type chithi does not read, 400 a bad id: the server's reply says which. A
    // 413 (too large) may come from a proxy in front, without a reply of the server's.
    const text = result.status === 413
      ? `Tệp lớn quá, máy chủ không nhận. (${errorText(result)})` : errorText(result);
    showRow(row, file.name, "error", text);
    return false;
  }
  const results = Array.isArray(result.data.results) ? result.data.results : [];
  // A file may hold several notices: one row each, in the file's order.
  const rows = results.map((r) => {
    const item = el("li", { className: "result" });
    showRow(item, file.name, r.status, r.message || r.title || "", r, file);
    return item;
  });
  row.replaceWith(...(rows.length ? rows : [row]));
  if (!rows.length) showRow(row, file.name, "error", "Máy chủ không trả kết quả nào cho tệp này.");
  return results.some((r) => r.status === "added" || r.status === "replaced");
}

function showRow(row, name, status, message, result = null, file = null) {
  clear(row);
  row.className = `result result-${status}`;
  row.dataset.status = status;
  append(row,
    el("p", { className: "result-head" },
      el("span", { className: "result-file", text: name }),
      el("span", { className: "badge", text: STATUS_LABEL[status] || status })),
    // The message is the bot's reply text, several lines: shown as text (CSS keeps the lines).
    el("p", { className: "result-message", text: message }));
  if (status === "conflict" && result && result.doc_id && file) {
    // A different notice already has this id: offer to replace it with this file.
    row.append(el("button", {
      type: "button", className: "secondary", text: `Thay văn bản mã ${result.doc_id}`,
      on: {
        click: async () => {
          row.remove();
          if (await uploadOne(file, result.doc_id, currentFacts())) loadDocuments();
        },
      },
    }));
  }
}

ui.fileInput.addEventListener("change", () => {
  const files = [...ui.fileInput.files];
  ui.fileInput.value = ""; // choosing the same file again fires change again
  if (files.length) uploadAll(files);
});

// Drag and drop: the zone lights up while a file is over it. dragenter/dragleave fire for
// every child element, so a counter tells when the pointer really left the zone.
let dragDepth = 0;
ui.dropzone.addEventListener("dragenter", (event) => {
  event.preventDefault();
  dragDepth += 1;
  ui.dropzone.classList.add("over");
});
ui.dropzone.addEventListener("dragover", (event) => {
  event.preventDefault(); // without this the browser opens the file instead of dropping it
  if (event.dataTransfer) event.dataTransfer.dropEffect = "copy";
});
ui.dropzone.addEventListener("dragleave", () => {
  dragDepth = Math.max(0, dragDepth - 1);
  if (dragDepth === 0) ui.dropzone.classList.remove("over");
});
ui.dropzone.addEventListener("drop", (event) => {
  event.preventDefault();
  dragDepth = 0;
  ui.dropzone.classList.remove("over");
  const files = event.dataTransfer ? [...event.dataTransfer.files] : [];
  if (files.length) uploadAll(files);
});
// A file dropped next to the zone would make the browser leave the page: ignore it.
for (const type of ["dragover", "drop"]) {
  window.addEventListener(type, (event) => {
    if (!ui.dropzone.contains(event.target)) event.preventDefault();
  });
}

// -- Documents --------------------------------------------------------------------------------

async function loadDocuments() {
  let result;
  try {
    result = await api("/api/documents", { token });
  } catch {
    ui.docsStatus.textContent = OFFLINE;
    return;
  }
  if (refused(result)) return;
  if (!result.ok) {
    ui.docsStatus.textContent = errorText(result);
    return;
  }
  const documents = Array.isArray(result.data.documents) ? result.data.documents : [];
  ui.docCount.textContent = `(${documents.length})`;
  clear(ui.documents);
  if (!documents.length) {
    ui.documents.append(el("tr", {}, el("td", {
      className: "muted", text: "Chưa có văn bản nào.", attrs: { colspan: 5 },
    })));
  }
  append(ui.documents, documents.map((d) => el("tr", { dataset: { docId: d.doc_id } },
    el("td", { className: "nowrap", text: formatDate(d.date) }),
    el("td", { text: d.province || "" }),
    el("td", {},
      el("span", { className: "doc-title", text: d.title }),
      el("code", { className: "doc-id", text: d.doc_id })),
    el("td", { className: "num", text: d.paragraphs }),
    el("td", {}, el("button", {
      type: "button", className: "danger", text: "Xóa",
      title: `Xóa văn bản ${d.doc_id}`,
      on: { click: () => removeDocument(d) },
    })))));
}

async function removeDocument(d) {
  // confirm() shows text only: the title cannot inject anything here.
  if (!window.confirm(`Xóa văn bản này khỏi kho?\n\n${d.title}\nMã: ${d.doc_id}`)) return;
  let result;
  try {
    result = await api(`/api/documents/${encodeURIComponent(d.doc_id)}`, {
      method: "DELETE", token,
    });
  } catch {
    ui.docsStatus.textContent = OFFLINE;
    return;
  }
  if (refused(result)) return;
  ui.docsStatus.className = result.ok ? "action-status ok" : "action-status error";
  ui.docsStatus.textContent = result.ok ? result.data.message || `Đã xóa ${d.doc_id}`
    : errorText(result);
  loadDocuments();
}

// -- Statistics and gaps ----------------------------------------------------------------------

async function loadStats() {
  ui.statsStatus.textContent = "Đang tải…";
  let result;
  try {
    result = await api(`/api/stats?days=${ui.days.value}`, { token });
  } catch {
    ui.statsStatus.textContent = OFFLINE;
    return;
  }
  if (refused(result)) return;
  if (!result.ok) {
    ui.statsStatus.textContent = errorText(result);
    return;
  }
  renderStats(result.data);
}

const COUNTS = [
  ["asked", "Câu hỏi"],
  ["answered", "Trả lời được"],
  ["not_found", "Văn bản không đề cập"],
  ["refused", "Từ chối"],
  ["helpful", "Góp ý: hữu ích"],
  ["unhelpful", "Góp ý: chưa đúng"],
  ["zalo_sent", "Zalo: tin đã gửi"],
  ["zalo_refused", "Zalo: bị từ chối"],
  ["zalo_window_closed", "Zalo: quá hạn trả lời miễn phí"],
];

function renderStats(stats) {
  clear(ui.counts);
  for (const [key, label] of COUNTS) {
    ui.counts.append(el("div", { className: "count", dataset: { key } },
      el("dt", { text: label }),
      el("dd", { text: Number(stats[key] || 0).toLocaleString("vi-VN") })));
  }
  const gaps = Array.isArray(stats.gaps) ? stats.gaps : [];
  clear(ui.gaps);
  append(ui.gaps, gaps.map((g) => el("tr", {},
    el("td", { className: "gap-question", text: g.question }),
    el("td", { className: "num", text: g.count }))));
  ui.statsStatus.textContent = gaps.length ? ""
    : "Không có câu hỏi nào mà văn bản không đề cập trong thời gian này.";
}

ui.days.addEventListener("change", loadStats);

// The CSV needs the token, so a plain link cannot fetch it: fetch it, then save the blob.
ui.csv.addEventListener("click", async () => {
  const days = ui.days.value;
  let response;
  try {
    response = await fetch(`/api/questions.csv?days=${days}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
  } catch {
    ui.statsStatus.textContent = OFFLINE;
    return;
  }
  if (response.status === 401 || response.status === 403) {
    showLogin(WRONG_TOKEN);
    return;
  }
  if (!response.ok) {
    ui.statsStatus.textContent = `Không tải được CSV (lỗi ${response.status}).`;
    return;
  }
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = el("a", {
    className: "visually-hidden",
    attrs: { href: url, download: `chithi-cau-hoi-${days}-ngay.csv` },
  });
  document.body.append(link);
  link.click();
  link.remove();
  // Revoking at once can cancel the download in some browsers: give it a minute.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
});

// -- Start ------------------------------------------------------------------------------------

async function boot() {
  if (!token) {
    showLogin();
    return;
  }
  // A token kept from earlier in this tab: check it before showing the panel.
  let result;
  try {
    result = await api(`/api/stats?days=${ui.days.value}`, { token });
  } catch {
    showLogin(OFFLINE);
    return;
  }
  if (!result.ok) {
    showLogin(result.status === 401 || result.status === 403 ? WRONG_TOKEN : errorText(result));
    return;
  }
  showPanel();
  renderStats(result.data);
  loadDocuments();
}

boot();
