// Helpers shared by the staff page (app.js) and the admin page (admin.js).
//
// Rule of this console: whatever comes from a notice, a question or the server goes into the
// page as text (text nodes, textContent, input values), never as HTML. `el` below is the only
// way the pages build elements, and it has no way to set innerHTML.

/**
 * Build an element. `props` may hold:
 *   className, id, text (textContent), title, type, value, hidden, disabled,
 *   attrs: {name: value} set with setAttribute (never event handlers: see `on`),
 *   dataset: {key: value},
 *   on: {event: handler} added with addEventListener.
 * Children are nodes, or strings / numbers (added as text nodes); null and false are skipped.
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === "text") node.textContent = String(value);
    else if (key === "attrs") {
      for (const [name, v] of Object.entries(value)) {
        if (/^on/i.test(name)) throw new Error(`el: use props.on, not the attribute ${name}`);
        node.setAttribute(name, String(v));
      }
    } else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "on") {
      for (const [event, handler] of Object.entries(value)) node.addEventListener(event, handler);
    } else if (["className", "id", "title", "type", "value", "hidden", "disabled"].includes(key)) {
      node[key] = value;
    } else throw new Error(`el: unknown prop ${key}`);
  }
  append(node, ...children);
  return node;
}

/** Append children to a node: strings become text nodes. */
export function append(node, ...children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Remove every child of a node. */
export function clear(node) {
  node.replaceChildren();
  return node;
}

/** '2021-09-16' -> '16/9/2021', as Vietnamese readers write a date; null -> 'không ghi ngày'. */
export function formatDate(iso) {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
  if (!match) return "không ghi ngày";
  return `${Number(match[3])}/${Number(match[2])}/${match[1]}`;
}

/** 'mục 8', or 'Điều 3' as it is (the server's short source lines do the same). */
export function sectionName(section) {
  if (!section) return "";
  return String(section).startsWith("Điều") ? String(section) : `mục ${section}`;
}

/**
 * Call the JSON API. Resolves to {ok, status, data} whatever the HTTP status (data is the
 * parsed JSON body, or {} when there is none); rejects only when the server cannot be
 * reached or the call was aborted.
 *   body: an object (sent as JSON) or a FormData (sent as multipart);
 *   token: sent as `Authorization: Bearer <token>` when set.
 */
export async function api(path, { method = "GET", body, token, signal } = {}) {
  const headers = { Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const response = await fetch(path, { method, headers, body: payload, signal });
  let data = {};
  const type = response.headers.get("Content-Type") || "";
  if (type.includes("json")) {
    try {
      data = await response.json();
    } catch {
      data = {};
    }
  }
  return { ok: response.ok, status: response.status, data, response };
}

/** The server's error text for a failed call, or a generic one naming the status. */
export function errorText(result) {
  if (result.data && typeof result.data.error === "string" && result.data.error) {
    return result.data.error;
  }
  return `Máy chủ báo lỗi (${result.status}). Vui lòng thử lại.`;
}

export const OFFLINE = "Không kết nối được máy chủ. Vui lòng kiểm tra mạng rồi thử lại.";

/** Storage that never throws (private windows, full quota, storage disabled). */
export function store(kind) {
  const backend = () => (kind === "session" ? window.sessionStorage : window.localStorage);
  return {
    get(key) {
      try {
        return backend().getItem(key);
      } catch {
        return null;
      }
    },
    set(key, value) {
      try {
        backend().setItem(key, value);
      } catch {
        /* not kept: the page still works for this visit */
      }
    },
    remove(key) {
      try {
        backend().removeItem(key);
      } catch {
        /* nothing to remove */
      }
    },
  };
}
