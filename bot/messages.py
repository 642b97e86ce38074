"""Vietnamese text the front ends show (answer text itself comes from retrieval)."""

from __future__ import annotations

from retrieval import Citation, format_date

CHAT_WELCOME = (
    "chithi: hỏi về các chỉ thị, thông báo phòng, chống dịch Covid-19. "
    "Gõ câu hỏi rồi Enter; /vanban để xem văn bản; /thoat để thoát."
)
CHAT_PROMPT = "Bạn hỏi: "
CHAT_BYE = "Tạm biệt!"
NO_DOCUMENTS = "Chưa có văn bản nào. Thêm bằng: chithi ingest ĐƯỜNG_DẪN"
INDEX_UNAVAILABLE = "Không kết nối được kho văn bản. Vui lòng thử lại sau ít phút."
BUNDLED_INGESTED = "Đã nạp {count} văn bản kèm theo (lần đầu sử dụng)."


def citation_heading(number: int, citation: Citation) -> str:
    """'[1] Thông báo kết luận ..., 16/9/2021, mục 8'."""
    parts = [citation.title, format_date(citation.date) if citation.date else "không ghi ngày"]
    if citation.section:
        section = citation.section
        parts.append(section if section.startswith("Điều") else f"mục {section}")
    return f"[{number}] " + ", ".join(parts)
