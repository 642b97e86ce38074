"""Vietnamese text the front ends show (answer text itself comes from retrieval)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from retrieval import Citation, NoticeMeta, Origin, phrasing

CHAT_WELCOME = (
    "chithi: hỏi về các chỉ thị, thông báo phòng, chống dịch Covid-19. "
    "Gõ câu hỏi rồi Enter; hỏi tiếp được (còn … thì sao?); /moi để hỏi chuyện mới; "
    "/vanban để xem văn bản; /thoat để thoát."
)
CHAT_PROMPT = "Bạn hỏi: "
CHAT_DOCUMENTS_COMMAND = "/vanban"
CHAT_QUIT_WORDS = frozenset({"/thoat", "/quit", "/exit", "thoat", "exit", "quit"})
CHAT_BYE = "Tạm biệt!"
CHAT_LEAD_REPLACED = (
    "(Câu trả lời của mô hình không đạt yêu cầu kiểm tra; "
    "dưới đây là câu trả lời trích từ văn bản.)"
)
NO_DOCUMENTS = "Chưa có văn bản nào. Thêm bằng: chithi ingest ĐƯỜNG_DẪN"
NO_DOCUMENTS_IN = "Chưa có văn bản nào của {province}."
PROVINCE_UNKNOWN = "Chưa có văn bản nào của “{name}”. Các tỉnh có văn bản: {known}."
PROVINCE_NONE_KNOWN = "Các văn bản hiện có không ghi tỉnh nào."
INDEX_UNAVAILABLE = "Không kết nối được kho văn bản. Vui lòng thử lại sau ít phút."
BUNDLED_INGESTING = "Lần đầu sử dụng: đang nạp các văn bản kèm theo, xin chờ khoảng một phút…"


def shown_citations(citations: Sequence[Citation]) -> tuple[Citation, ...]:
    """The citations an answer shows: the first two, and a third only from another province.

    A third paragraph of the same province mostly repeats the first two, and on a phone each
    one is a screenful; another province's rule is worth it. The numbers stay those of
    ``Answer.citations`` (what /nguon counts), since this keeps a prefix.
    """
    first = tuple(citations[:2])
    third = tuple(citations[2:3])
    if third and third[0].province not in {c.province for c in first}:
        return first + third
    return first


def citation_heading(number: int, citation: Citation, meta: NoticeMeta | None = None) -> str:
    """'[1] Gia Lai · TB 16/9/2021 · mục 8': a citation's one-line source (phrasing.short_source).

    A codified article's is its original document's ('[2] Nghị định 101/2010/NĐ-CP · Điều 11,
    khoản 1', phrasing.article_source).

    Args:
        number: the citation's number in the answer.
        citation: the citation.
        meta: its document's metadata, for the kind and number; without it, the label names
            the province, date and section only.
    """
    c = citation
    if c.origin is not None:
        return f"[{number}] " + phrasing.article_source(c.origin, c.section)
    kind, doc_number = (meta.kind, meta.number) if meta else (None, None)
    return f"[{number}] " + phrasing.short_source(c.province, kind, doc_number, c.date, c.section)


def paragraph_heading(
    meta: NoticeMeta, section: str | None, *, origin: Origin | None = None
) -> str:
    """'Thông báo kết luận ... (Gia Lai), 16/9/2021, mục 8' for a paragraph shown in full."""
    return phrasing.source_label(meta.title, meta.province, meta.date, section, origin=origin)


def province_unknown(name: str, known: Iterable[str]) -> str:
    """Why a typed province cannot be chosen, and which can (Telegram passes escaped values)."""
    listed = sorted(known)
    if not listed:
        return PROVINCE_NONE_KNOWN
    return PROVINCE_UNKNOWN.format(name=name, known=", ".join(listed))


# -- Telegram -----------------------------------------------------------------------------
# Texts marked HTML are Telegram HTML: values put into them must be html-escaped first.

# The command menu (setMyCommands): command -> description.
COMMANDS = (
    ("start", "Giới thiệu và câu hỏi mẫu"),
    ("help", "Hướng dẫn sử dụng"),
    ("hoi", "Đặt câu hỏi (dùng trong nhóm): /hoi câu hỏi"),
    ("vanban", "Các văn bản đang có, mới nhất trước"),
    ("tinh", "Chỉ trả lời theo văn bản của một tỉnh: /tinh Kiên Giang"),
    ("nguon", "Xem đầy đủ đoạn trích dẫn: /nguon 1"),
    ("theodoi", "Nhận tin khi một tỉnh có văn bản mới: /theodoi Gia Lai"),
    ("huy", "Thôi theo dõi một tỉnh: /huy Gia Lai"),
    ("boloc", "Bỏ lọc theo văn bản, hỏi mọi văn bản"),
)
ADMIN_COMMANDS = (
    ("xoa", "Quản trị: xóa một văn bản: /xoa MÃ"),
    ("thongke", "Quản trị: thống kê câu hỏi: /thongke 7"),
    ("xuatcsv", "Quản trị: tải nhật ký câu hỏi (CSV)"),
)

# Example questions, shown as buttons under /start (the button carries the index).
EXAMPLE_QUESTIONS = (
    "5K là gì?",
    "Cách ly tập trung bao nhiêu ngày?",
    "Kiên Giang giãn cách xã hội ở những huyện nào?",
    "Tiêm vắc xin mũi 3 cho những ai?",
)

WELCOME = (  # HTML
    "Xin chào! Tôi trả lời câu hỏi về các <b>chỉ thị, thông báo phòng, chống dịch Covid-19</b> "
    "của tỉnh ủy, ủy ban nhân dân các tỉnh.\n\n"
    "Gõ câu hỏi bằng tiếng Việt, có dấu hay không dấu đều được. Mỗi câu trả lời kèm đoạn trích "
    "nguyên văn, tên văn bản, ngày ban hành và mục để bạn đối chiếu.\n\n"
    "Bấm thử một câu hỏi mẫu:"
)
HELP = (  # HTML; {username}, {hotline}
    "<b>Cách hỏi</b>\n"
    "Gõ câu hỏi như khi nói chuyện, ví dụ: <i>cach ly tap trung bao nhieu ngay</i>.\n\n"
    "<b>Lệnh</b>\n"
    "/vanban — các văn bản đang có, mới nhất trước; /vanban Kiên Giang — của một tỉnh\n"
    "/tinh Kiên Giang — chỉ trả lời theo văn bản của một tỉnh; /tinh để bỏ\n"
    "/nguon 1 — xem đầy đủ đoạn trích dẫn [1] của câu trả lời gần nhất\n"
    "/hoi câu hỏi — đặt câu hỏi trong nhóm\n"
    "/theodoi Gia Lai — nhận tin khi tỉnh có văn bản mới; /theodoi để xem; /huy Gia Lai để thôi\n"
    "/boloc — sau khi bấm “Hỏi về văn bản này”, hỏi lại mọi văn bản\n"
    "/moi — hỏi chuyện mới: câu sau không tiếp nối câu trước\n\n"
    "<b>Hỏi tiếp</b>: sau một câu trả lời, có thể hỏi ngắn như <i>còn Rạch Giá thì sao?</i>, "
    "<i>đến bao giờ?</i>, <i>ai ký văn bản này?</i>.\n\n"
    "<b>Trong nhóm</b>: nhắc @{username}, trả lời tin nhắn của tôi hoặc dùng /hoi.\n"
    "<b>Ở cuộc trò chuyện khác</b>: gõ @{username} rồi câu hỏi.\n\n"
    "Khi văn bản không đề cập, tôi sẽ nói rõ và mời bạn gọi đường dây nóng {hotline}."
)
HELP_ADMIN = (  # HTML
    "\n\n<b>Quản trị</b>\n"
    "Gửi tệp .txt, .md, .docx hoặc .pdf để thêm văn bản; tệp cùng mã sẽ thay văn bản cũ "
    "(ghi mã văn bản vào chú thích tệp để thay một văn bản có mã khác tên tệp). Chú thích "
    "cũng ghi được điều tệp không nói: <i>ngày 01/02/2021, tỉnh Gia Lai, thay thế MÃ</i>. "
    "Người theo dõi tỉnh sẽ nhận tin về văn bản mới.\n"
    "/xoa MÃ — xóa văn bản\n"
    "/thongke [số ngày] — thống kê câu hỏi (mặc định 7 ngày; /thongke tatca)\n"
    "/xuatcsv [số ngày] — tải nhật ký câu hỏi dạng CSV"
)

ASK_PROMPT = "Bạn muốn hỏi gì? Hãy gõ câu hỏi, ví dụ: 5K là gì?"
NON_TEXT = (
    "Tôi chỉ đọc được câu hỏi bằng chữ. Vui lòng gõ câu hỏi, ví dụ: "
    "<i>cách ly tại nhà bao nhiêu ngày?</i>"
)  # HTML
UNKNOWN_COMMAND = "Tôi không có lệnh này. Gõ /help để xem các lệnh."
RATE_LIMITED = (
    "Bạn hỏi nhanh quá: tối đa {limit} câu mỗi phút. Vui lòng chờ khoảng {seconds} giây "
    "rồi hỏi tiếp."
)
SORRY = "Xin lỗi, đã có lỗi khi xử lý yêu cầu của bạn. Vui lòng thử lại sau ít phút."

CITATION_FULL = "📄 Xem đầy đủ [{number}]"
CITATION_ORIGINAL = "📎 Văn bản gốc [{number}]"
PARAGRAPH_ORIGINAL = "📎 Văn bản gốc"
FEEDBACK_UP = "👍 Hữu ích"
FEEDBACK_DOWN = "👎 Chưa đúng"
FEEDBACK_THANKS = "Cảm ơn bạn đã góp ý!"
PROVINCE_NOTE = "Đang chỉ tìm trong văn bản của {province}. Gõ /tinh để bỏ giới hạn."
NOT_FOUND_RELATED = "Các văn bản hiện có đề cập đến:"
NOT_FOUND_EXAMPLES = "Bạn có thể hỏi, ví dụ:"
NOT_FOUND_DOCUMENTS = "Gõ /vanban để xem các văn bản đang có."

DOCUMENTS_EMPTY = "Chưa có văn bản nào."
DOCUMENTS_HEADING = "Các văn bản đang có ({count}), mới nhất trước:"
DOCUMENTS_HEADING_PROVINCE = "Các văn bản của {province} ({count}), mới nhất trước:"
DOCUMENTS_BY_PROVINCE = "Gõ /vanban Tên tỉnh để xem văn bản của một tỉnh."
DOCUMENT_ID = "mã"  # followed by the document id, under each document's line
DOCUMENT_BUTTON = "📎 {number}"
DOCUMENTS_ORIGINALS = "Bấm số thứ tự để nhận văn bản gốc."
ORIGINAL_MISSING = "Không còn tệp gốc của văn bản này."
DOCUMENT_GONE = "Văn bản này không còn trong kho. Gõ /vanban để xem các văn bản đang có."
PARAGRAPH_GONE = "Đoạn này không còn trong kho (văn bản đã được cập nhật hoặc xóa). Hãy hỏi lại."
BUTTON_EXPIRED = "Nút này không còn dùng được. Hãy hỏi lại."

SOURCE_USAGE = "Gõ /nguon và số thứ tự trích dẫn, ví dụ: /nguon 1"
SOURCE_NONE = "Chưa có câu trả lời nào có trích dẫn trong cuộc trò chuyện này."
SOURCE_OUT_OF_RANGE = (
    "Câu trả lời gần nhất chỉ có {count} trích dẫn; gõ /nguon 1 đến /nguon {count}."
)

PROVINCE_SET = "Từ giờ tôi chỉ trả lời theo văn bản của {province}. Gõ /tinh để bỏ giới hạn."
PROVINCE_CLEARED = "Đã bỏ giới hạn tỉnh: tôi trả lời theo tất cả văn bản."

INLINE_HINT = "Gõ câu hỏi sau tên bot"
INLINE_ANSWER_TITLE = "Trả lời"
INLINE_NOT_FOUND_TITLE = "Văn bản không đề cập"
INLINE_RATE_LIMITED = "Bạn hỏi nhanh quá, vui lòng chờ một chút"
INLINE_INDEX_UNAVAILABLE = "Chưa kết nối được kho văn bản, thử lại sau"

ADMIN_ONLY = "Xin lỗi, lệnh này chỉ dành cho quản trị viên."
ADMIN_PRIVATE_ONLY = "Vui lòng dùng lệnh quản trị trong cuộc trò chuyện riêng với bot."
UPLOAD_NOT_ALLOWED = (
    "Cảm ơn bạn! Chỉ quản trị viên mới thêm được văn bản, nên tệp này không được lưu. "
    "Nếu bạn có câu hỏi, hãy gõ bằng chữ."
)
UPLOAD_WORKING = "Đang đọc tệp {name}…"
UPLOAD_ADDED = "✅ Đã thêm văn bản:"
UPLOAD_REPLACED = "✅ Đã thay văn bản cùng mã:"
UPLOAD_UNCHANGED = "Văn bản này đã có, nội dung không đổi:"
UPLOAD_DISK_FULL = (
    "❌ Máy chủ hết dung lượng: chưa thêm tệp {name}, không có gì thay đổi. "
    "Hãy giải phóng dung lượng rồi gửi lại."
)
DISK_FULL_CLI = (
    "Hết dung lượng đĩa (disk full): không có gì thay đổi; giải phóng dung lượng rồi chạy lại"
)
UPLOAD_DUPLICATE = "Tệp {name} trùng nội dung với văn bản đã có, không thêm lần nữa:"
UPLOAD_SUMMARY = "{title}\nNgày: {date}\nSố đoạn: {paragraphs}\nMã: "
UPLOAD_UNSUPPORTED = (
    "❌ Không nhận loại tệp {suffix}. Hãy gửi tệp .txt, .docx, .doc, .pdf (cả bản quét), .html "
    "hoặc ảnh chụp văn bản (.png, .jpg)."
)
UPLOAD_READ_AS = "Đã đọc: {how}"
UPLOAD_CONFLICT = (
    "⚠️ Chưa thêm tệp {name}: đã có văn bản mã {doc_id} là một văn bản khác (khác tỉnh, ngày "
    "hoặc số). Hãy đổi tên tệp rồi gửi lại; nếu muốn thay văn bản đó, gửi lại tệp kèm mã "
    "{doc_id} (trên Telegram: ghi mã vào chú thích của tệp)."
)
UPLOAD_TOO_BIG = "❌ Tệp lớn quá ({size} MB); bot chỉ tải được tệp đến 20 MB."
UPLOAD_EMPTY = "❌ Tệp {name} không có nội dung văn bản đọc được."
UPLOAD_UNREADABLE = (
    "❌ Không đọc được tệp {name}: tệp bị hỏng hoặc không phải văn bản. "
    "Hãy kiểm tra tệp rồi gửi lại.\n(Chi tiết: {reason})"
)
UPLOAD_BAD_ID = (
    "❌ Mã văn bản “{doc_id}” không hợp lệ: chỉ dùng chữ không dấu, số, - và _ (tối đa 48 ký tự)."
)
UPLOAD_FACTS_SET = "Đã ghi theo chú thích: {facts}."
FACT_BAD_DATE = "❌ “{value}” không phải là ngày. Hãy ghi ví dụ: ngày 01/02/2021."
FACT_BAD_PROVINCE = "❌ Không biết tỉnh “{value}”. Hãy ghi ví dụ: tỉnh Gia Lai."
FACT_BAD_SUPERSEDES = (
    "❌ Không có văn bản mã “{value}” để thay thế. Gõ /vanban để xem mã các văn bản."
)
FACT_BAD_CAPTION = (
    "❌ Chưa hiểu chú thích “{value}”. Chú thích có thể là mã văn bản, hoặc: ngày 01/02/2021, "
    "tỉnh Gia Lai, thay thế MÃ_VĂN_BẢN (cách nhau bằng dấu phẩy)."
)
ALERT_NEW = "🔔 Văn bản mới của {province}:"  # HTML
ALERT_CHANGED = "🔔 Văn bản của {province} vừa được cập nhật:"  # HTML
ALERT_REPLACES = "Thay thế: {label}"
ALERT_POINTS = "Điểm chính:"
ALERT_ASK = "❓ Hỏi về văn bản này"
FOLLOW_USAGE = (
    "Gõ /theodoi và tên tỉnh, ví dụ: /theodoi Gia Lai, để nhận tin khi tỉnh có văn bản mới."
)
FOLLOW_DONE = (
    "🔔 Đã theo dõi {province}. Khi có văn bản mới của {province}, bot sẽ gửi tin vào đây. "
    "Gõ /huy {province} để thôi."
)
FOLLOW_ALREADY = "Cuộc trò chuyện này đã theo dõi {province}."
FOLLOW_TOO_MANY = "Mỗi cuộc trò chuyện theo dõi được tối đa {count} tỉnh. Gõ /huy TÊN để bớt."
FOLLOW_UNKNOWN = "Không biết tỉnh “{name}”. Hãy ghi tên tỉnh, ví dụ: /theodoi Kiên Giang."
FOLLOW_LIST = "Cuộc trò chuyện này đang theo dõi: {provinces}. Bấm nút để thôi theo dõi một tỉnh."
FOLLOW_NONE = "Cuộc trò chuyện này chưa theo dõi tỉnh nào. " + FOLLOW_USAGE
UNFOLLOW_DONE = "Đã thôi theo dõi {province}."
UNFOLLOW_NOT = "Cuộc trò chuyện này không theo dõi {province}."
UNFOLLOW_BUTTON = "🔕 Thôi theo dõi {province}"
FOCUS_DONE = (
    "Các câu hỏi tiếp theo ở đây chỉ tìm trong văn bản: {label}. Gõ /boloc để hỏi mọi văn bản."
)
FOCUS_CLEARED = "Đã bỏ lọc: câu hỏi tìm trong mọi văn bản."
REMOVE_USAGE = "Gõ /xoa và mã văn bản, ví dụ: /xoa {example}. Gõ /vanban để xem mã."
REMOVE_EXAMPLE_ID = "MÃ"  # in REMOVE_USAGE when there is no document to take the id of
REMOVE_DONE = "🗑 Đã xóa văn bản:"
REMOVE_UNKNOWN = "Không có văn bản mã “{doc_id}”. Gõ /vanban để xem mã các văn bản."

STATS_PERIOD_DAYS = "trong {days} ngày qua"
STATS_PERIOD_ALL = "từ trước đến nay"
STATS_USAGE = "Gõ /thongke, /thongke 30 (số ngày) hoặc /thongke tatca."
STATS_ALL_TIME_WORDS = ("tatca", "tất cả", "all")  # what /thongke and /xuatcsv read as all time
STATS = (  # HTML; numbers only
    "<b>Thống kê câu hỏi {period}</b>\n"
    "Câu hỏi: {asked}\n"
    "Đã trả lời: {answered}\n"
    "Văn bản không đề cập: {not_found}\n"
    "Ngoài phạm vi: {refused}\n"
    "Góp ý: 👍 {helpful} · 👎 {unhelpful}"
)
STATS_LLM = (  # HTML; numbers only; Answerer.stats, counted since the bot started
    "\n<b>Câu trả lời do mô hình ngôn ngữ viết</b> (từ khi bot khởi động)\n"
    "Dùng: {used} · Quay về câu trích: {fallback}"
)
STATS_ALERTS = (  # HTML; numbers only; all time
    "\n<b>Tin báo văn bản mới</b> (từ trước đến nay)\n"
    "Đã gửi: {sent} · Đang chờ: {waiting} · Người dùng đã chặn bot: {gone}"
    " · Chưa rõ đã đến chưa (bot dừng giữa chừng): {unknown} · Telegram từ chối: {failed}"
)
STATS_LLM_REASON = "\n• {reason}: {count}"  # reason: the English code of docs/llm.md
STATS_GAPS = "Câu hỏi văn bản chưa đề cập, hỏi nhiều nhất:"
STATS_GAP = "{number}. {question} — {count} lần"
STATS_NO_GAPS = "Không có câu hỏi nào chưa trả lời được."
EXPORT_CAPTION = "Nhật ký câu hỏi {period}: {count} dòng."
EXPORT_FILE_NAME = "chithi-cau-hoi-{date}.csv"


# -- web API (bot/web): errors as the console shows them --------------------------------------

WEB_NO_CONSOLE = "Chưa cài trang tra cứu (bot/web/static)."
WEB_NEEDS_QUESTION = "Hãy gửi câu hỏi trong trường 'question'."
WEB_NEEDS_FILE = "Hãy gửi tệp văn bản trong trường 'file' của biểu mẫu."
WEB_BODY_TOO_LARGE = "Yêu cầu lớn quá (trên {kb} KB)."
WEB_NOT_JSON = "Nội dung yêu cầu không phải JSON."
WEB_JSON_TOO_DEEP = "Nội dung JSON lồng nhau quá sâu."
WEB_NOT_OBJECT = "Nội dung yêu cầu phải là một đối tượng JSON."
WEB_NOT_TEXT = "'{key}' phải là một chuỗi ký tự."
WEB_NOT_DATE = "'{key}' phải có dạng YYYY-MM-DD."
WEB_BAD_CONVERSATION = "'conversation_id' phải gồm 1-64 chữ, số, '-' hoặc '_'."
WEB_FILE_TOO_LARGE = "Tệp lớn quá: giới hạn là {mb} MB."
WEB_NEEDS_TOKEN = {
    "staff": "Cần mã nhân viên (Authorization: Bearer …).",
    "admin": "Cần mã quản trị (Authorization: Bearer …).",
}
WEB_ADMIN_OFF = "Chưa bật quản trị: chưa đặt CHITHI_ADMIN_TOKEN."

# -- alerts (bot/alerts) ----------------------------------------------------------------------

ALERT_DATE = "Ngày {date}"
ALERT_NUMBER = "số {number}"

# -- an administrator's facts, as the upload reply repeats them (bot/notice_facts.py) ---------

FACT_DATE = "ngày {date}"
FACT_PROVINCE = "tỉnh {province}"
FACT_SUPERSEDES = "thay thế {doc_id}"

# -- follow-up questions ------------------------------------------------------------------------

UNDERSTOOD_AS = "Hiểu câu hỏi là: {question}"  # before an answer read in its conversation
ASK_ALONE_BUTTON = "↩️ Hỏi riêng câu này"  # under such an answer: the message answered as it is
CONTEXT_RESET = "Đã bắt đầu cuộc hỏi mới: câu sau sẽ không tiếp nối câu trước."
CHAT_RESET_COMMAND = "/moi"

# -- Zalo Official Account (bot/zalo): plain text, no HTML; commands are typed in words ---------

ZALO_WELCOME = (
    "Xin chào! Tôi trả lời câu hỏi về các chỉ thị, thông báo phòng, chống dịch Covid-19 của "
    "tỉnh ủy, ủy ban nhân dân các tỉnh, kèm đoạn trích nguyên văn, tên văn bản, ngày và mục.\n\n"
    "Gõ câu hỏi bằng tiếng Việt, có dấu hay không dấu đều được, ví dụ:\n{examples}\n\n"
    "Gõ “hướng dẫn” để xem các lệnh."
)
ZALO_EXAMPLE = "• {question}"
ZALO_HELP = (
    "Cách dùng:\n"
    "• Gõ câu hỏi, ví dụ: cach ly tap trung bao nhieu ngay\n"
    "• Hỏi tiếp ngắn gọn sau một câu trả lời: còn Rạch Giá thì sao?\n"
    "• “tỉnh Kiên Giang”: chỉ trả lời theo văn bản của một tỉnh; “bỏ lọc” để hỏi mọi tỉnh\n"
    "• “theo dõi Gia Lai”: nhận tin khi tỉnh có văn bản mới; “theo dõi” để xem; "
    "“hủy theo dõi Gia Lai” để thôi\n"
    "• “hỏi mới”: câu sau không tiếp nối câu trước\n\n"
    "Khi văn bản không đề cập, tôi sẽ nói rõ và mời bạn gọi đường dây nóng {hotline}."
)
ZALO_NON_TEXT = (
    "Cảm ơn bạn! Tôi chỉ đọc được câu hỏi bằng chữ, nên ảnh, tệp và nhãn dán không được lưu. "
    "Vui lòng gõ câu hỏi, ví dụ: cách ly tại nhà bao nhiêu ngày?"
)
ZALO_FULL_ANSWER = "Xem đầy đủ: {url}"
ZALO_PROVINCE_SET = (
    "Từ giờ tôi chỉ trả lời theo văn bản của {province}. Gõ “bỏ lọc” để hỏi mọi tỉnh."
)
ZALO_FOLLOW_DONE = (
    "🔔 Đã theo dõi {province}. Zalo chỉ cho phép gửi tin trong 48 giờ sau tin nhắn gần nhất "
    "của bạn, nên tin về văn bản mới của {province} sẽ đến trong thời gian đó, hoặc ngay khi "
    "bạn nhắn lần sau. Gõ “hủy theo dõi {province}” để thôi."
)
ZALO_FOLLOW_UNKNOWN = "Không biết tỉnh “{name}”. Hãy ghi tên tỉnh, ví dụ: theo dõi Kiên Giang."
ZALO_FOLLOW_TOO_MANY = (
    "Mỗi người theo dõi được tối đa {count} tỉnh. Gõ “hủy theo dõi TÊN TỈNH” để bớt."
)
ZALO_FOLLOW_LIST = "Bạn đang theo dõi: {provinces}. Gõ “hủy theo dõi TÊN TỈNH” để thôi."
ZALO_FOLLOW_NONE = (
    "Bạn chưa theo dõi tỉnh nào. Gõ “theo dõi” và tên tỉnh, ví dụ: theo dõi Gia Lai, để nhận "
    "tin khi tỉnh có văn bản mới."
)
STATS_ZALO = (  # HTML; numbers only; the period of /thongke
    "\n<b>Tin nhắn Zalo</b>\n"
    "Đã gửi: {sent} · Zalo từ chối: {refused}{codes} · Chưa rõ đã đến chưa: {unknown}"
    " · Không gửi vì quá thời hạn trả lời miễn phí của Zalo: {window_closed}"
)
STATS_ZALO_CODE = "mã {code}: {count}"
