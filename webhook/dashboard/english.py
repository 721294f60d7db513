"""The English of every Vietnamese text the dashboard shows (see ``i18n``).

Keys are the Vietnamese exactly as written in the templates and views; ``{name}`` fields must
match on both sides. A test checks that every ``_()`` text has an entry and every entry is used.
"""

from __future__ import annotations

EN: dict[str, str] = {
    # layout and navigation
    "Tiến độ chiến dịch": "Campaign progress",
    "Tiến độ các chiến dịch": "Progress of the campaigns",
    "Chiến dịch": "Campaign",
    "Mọi chiến dịch": "All campaigns",
    "Chọn": "Choose",
    "Không có chiến dịch này: {value}": "There is no such campaign: {value}",
    "Tiến độ": "Progress",
    "Duyệt phiếu": "Review",
    "Cộng tác viên": "Collectors",
    "Đăng xuất": "Sign out",
    "Chuyển sang tiếng Việt": "Switch to Vietnamese",
    "Chuyển sang tiếng Anh": "Switch to English",
    "Điều hướng chính": "Main navigation",
    "Bỏ qua, đến nội dung chính": "Skip to main content",
    # sign-in
    "Đăng nhập": "Sign in",
    "Tên đăng nhập": "Username",
    "Mật khẩu": "Password",
    "Đăng nhập để xem tiến độ các chiến dịch tại các đơn vị.": (
        "Sign in to see how far each unit has come in the campaigns."
    ),
    "Vui lòng đăng nhập để xem trang này.": "Please sign in to see this page.",
    "Tên đăng nhập hoặc mật khẩu không đúng.": "Wrong username or password.",
    "Bạn đã nhập sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút.": (
        "Too many failed attempts. Please try again in {minutes} minutes."
    ),
    "Tài khoản cộng tác viên chỉ dùng để gửi phiếu từ ODK Collect, không đăng nhập được "
    "trang quản lý. Hãy liên hệ quản trị viên nếu bạn cần xem báo cáo.": (
        "Collector accounts only send forms from ODK Collect and cannot sign in to the "
        "dashboard. Contact an administrator if you need to see reports."
    ),
    "Tài khoản tích hợp (KoboToolbox) chỉ dùng cho máy chủ gửi dữ liệu, không đăng nhập "
    "được trang quản lý.": (
        "Integration (KoboToolbox) accounts are for servers sending data and cannot sign in "
        "to the dashboard."
    ),
    "Đã đăng xuất.": "Signed out.",
    # coverage page
    "Các trang của bảng": "Pages of the table",
    "Đơn vị {first}–{last} trong {count}; dòng tổng cộng tính mọi đơn vị.": (
        "Units {first}–{last} of {count}; the total row counts every unit."
    ),
    "Số dòng mỗi trang phải từ 1 đến {most}: {value}": (
        "Rows per page must be from 1 to {most}: {value}"
    ),
    "Số trang phải từ 1 trở lên: {value}": "The page number must be 1 or more: {value}",
    "Số liệu tính đến hết ngày {day}": "Figures as of the end of {day}",
    "Tính đến ngày": "As of",
    "Xem": "Show",
    "Loại đơn vị": "Kind of unit",
    "Tất cả": "All",
    "Đối tượng": "Category",
    "Mọi đối tượng": "All categories",
    "Tổng số người": "Headcount",
    "cần đạt mục tiêu": "to reach the target",
    "Mục tiêu": "Target",
    "{done} / {denominator} người": "{done} / {denominator} people",
    "{count} người": "{count} people",
    "còn thiếu để đạt mục tiêu": "still needed to reach the target",
    "Đơn vị chưa rõ tổng số": "Units with unknown headcount",
    "{count} đơn vị chưa rõ tổng số (không tính vào tỷ lệ):": (
        "{count} units with unknown headcount (not counted in the rates):"
    ),
    "Mọi đơn vị đã có tổng số.": "Every unit has a known headcount.",
    "Tiến độ theo đơn vị": "Progress by unit",
    "Đánh giá các đơn vị": "Units by status",
    "đơn vị": "units",
    "Cần đôn đốc": "Furthest behind",
    "Chưa rõ": "Unknown",
    "còn {count} người": "{count} to go",
    "Nhấn vào tiêu đề cột để sắp xếp.": "Click a column heading to sort.",
    "Đơn vị": "Unit",
    "Nguồn số liệu": "Source",
    "Đánh giá": "Status",
    "Tổng cộng": "Total",
    "Không có đơn vị nào.": "No units.",
    "Tiến độ theo đơn vị so với mục tiêu ({label})": (
        "Progress by unit against the target ({label})"
    ),
    "Tiến độ theo ngày": "Progress by day",
    "Tải báo cáo": "Download the report",
    "Excel (.xlsx)": "Excel (.xlsx)",
    "PDF để ký (Nghị định 30)": "PDF to sign (Decree 30)",
    (
        "Số liệu của chiến dịch này dừng ở ngày {day} (dữ liệu mẫu, hoặc chiến dịch đã kết "
        "thúc): trang mở ở ngày đó, không phải hôm nay. Chọn ngày khác ở ô “Tính đến ngày”."
    ): (
        "This campaign's data ends on {day} (demo data, or a campaign that has ended): the "
        "page opens on that day, not today. Pick another day under “As of”."
    ),
    "CSV theo đơn vị": "CSV by unit",
    "CSV theo loại đơn vị": "CSV by kind of unit",
    "CSV theo đối tượng": "CSV by category",
    "JSON theo đơn vị": "JSON by unit",
    "Phát hiện khi đối chiếu dữ liệu": "Data-quality findings",
    "{count} người {label} nhưng không có trong danh sách của đơn vị.": (
        "{count} people ({label}) are not on their unit's roster."
    ),
    "Đạt: từ {target} trở lên; Gần đạt: từ {on_track}; Chậm: dưới {on_track}.": (
        "Reached: {target} or more; On track: from {on_track}; Lagging: below {on_track}."
    ),
    "Ngày không hợp lệ, cần dạng dd/mm/yyyy: {value}": "Invalid date, use dd/mm/yyyy: {value}",
    "ngày/tháng/năm": "day/month/year",
    "Vuốt ngang để xem các cột khác →": "Swipe sideways for the other columns →",
    "Chọn ngày trên lịch": "Pick a day on the calendar",
    "Lịch": "Calendar",
    "Giá trị không hợp lệ cho {name}: {value}": "Invalid value for {name}: {value}",
    # unit page
    "Theo đối tượng": "By category",
    "Lý do {label}": "Reasons: {label}",
    "Lý do": "Reason",
    "Số người": "People",
    "Chưa có lý do nào được ghi nhận.": "No reasons recorded.",
    "Đơn vị trực thuộc": "Units under it",
    "Danh sách {label}": "Who is {label}",
    "Họ và tên": "Full name",
    "Tình trạng": "Status",
    "Chưa có phiếu ghi nhận": "No record yet",
    "{label} nhưng không có trong danh sách": "{label} but not on the roster",
    "Mọi người trong danh sách {label}.": "Everyone on the roster: {label}.",
    "Đơn vị chưa có danh sách trong chiến dịch này.": "The unit has no roster in this campaign.",
    "Danh sách có dữ liệu cá nhân: chỉ dùng để hỗ trợ thực hiện chiến dịch, không chia sẻ ra "
    "ngoài.": "Personal data: use it only for the campaign's work; do not share it.",
    "{count} người trong danh sách {label}. Danh sách tên chỉ hiển thị cho quản trị viên và "
    "đầu mối của đơn vị.": (
        "{count} people on the roster are {label}. Names are shown only to administrators "
        "and the unit's focal point."
    ),
    "Quay lại tiến độ chung": "Back to overall progress",
    # review page
    "Phiếu cần duyệt": "Submissions to review",
    "Phiếu cần xem lại vì khi kiểm tra thấy có vấn đề. Phiếu chỉ được tính vào tiến độ sau "
    "khi được chấp nhận hoặc sửa đúng.": (
        "Submissions the checks found a problem in. A submission counts in the progress only "
        "once it is accepted or corrected."
    ),
    "Chỉ xem: chỉ quản trị viên mới được chấp nhận, từ chối hoặc sửa phiếu.": (
        "Read only: only administrators may accept, reject or correct submissions."
    ),
    "Đã có phiên bản mới": "Replaced by a newer version",
    "Phiên bản sửa của phiếu số {id}": "Corrected version of submission {id}",
    "xem bản gốc": "see the original",
    "{who} đã sửa “{label}”, lý do: {reason}": "{who} corrected “{label}”; reason: {reason}",
    "Phiếu khác của cùng người này": "Other records of the same person",
    "Sửa một câu trả lời": "Correct an answer",
    "Sửa tạo một phiên bản mới của phiếu (phiếu gốc vẫn được lưu); phiên bản mới được kiểm "
    "tra lại theo biểu mẫu.": (
        "A correction makes a new version of the submission (the original is kept); the new "
        "version is checked against the form again."
    ),
    "Giá trị đúng": "Correct value",
    "Lý do sửa (bắt buộc)": "Reason for the correction (required)",
    "Lưu bản sửa": "Save the correction",
    "Không sửa được phiếu: {message}": "The submission was not corrected: {message}",
    "Đã sửa phiếu số {id}: phiên bản mới là phiếu số {new}.": (
        "Submission {id} corrected: the new version is submission {new}."
    ),
    "Không tìm thấy phiếu số {id}.": "Submission {id} was not found.",
    "Không có phiếu nào cần duyệt.": "Nothing to review.",
    "Phiếu số {id}": "Submission {id}",
    "Không thuộc chiến dịch nào": "Outside any campaign",
    "Biểu mẫu": "Form",
    "Nhận lúc": "Received",
    "Thu thập lúc": "Collected",
    "Người gửi": "Sent by",
    "Vấn đề": "Problems",
    "Nội dung phiếu": "Answers",
    "Câu hỏi": "Question",
    "Trả lời": "Answer",
    "Lý do quyết định (bắt buộc)": "Reason for the decision (required)",
    "Chấp nhận": "Accept",
    "Từ chối": "Reject",
    "Đã chấp nhận phiếu số {id}.": "Submission {id} accepted.",
    "Đã từ chối phiếu số {id}.": "Submission {id} rejected.",
    "Không ghi nhận được quyết định: {message}": "The decision was not recorded: {message}",
    "Lịch sử duyệt": "Review history",
    "Trạng thái": "Status",
    "Cần xem lại": "To review",
    "Đã từ chối": "Rejected",
    "Đã chấp nhận": "Accepted",
    "Trang sau": "Next page",
    "Trang trước": "Previous page",
    # collectors
    "Tài khoản cộng tác viên": "Collector accounts",
    "Cộng tác viên dùng ODK Collect để gửi phiếu. Mỗi người quét một mã QR để cài đặt; "
    "tạo mã mới thì mã cũ hết hiệu lực.": (
        "Collectors send forms with ODK Collect. Each scans a QR code to set it up; a new "
        "code ends the old one."
    ),
    "Chưa có tài khoản cộng tác viên nào.": "No collector accounts yet.",
    "Chưa đặt địa chỉ máy chủ cho điện thoại": "The address phones use is not set",
    "Trang này đang mở ở địa chỉ của chính máy chủ ({address}), điện thoại không vào được: "
    "chưa thể tạo mã QR.": (
        "This page is open at the server's own address ({address}), which phones cannot "
        "reach: no QR code can be made yet."
    ),
    "Mã QR sẽ dùng địa chỉ đang mở trang này ({address}); điện thoại phải vào được địa chỉ "
    "đó.": "QR codes will use the address this page is open at ({address}); phones must reach it.",
    "Hãy đặt biến môi trường VSSID_PUBLIC_URL là địa chỉ điện thoại truy cập được (ví dụ "
    "https://vssid.quan10.gov.vn) rồi khởi động lại máy chủ.": (
        "Set the environment variable VSSID_PUBLIC_URL to the address phones reach (e.g. "
        "https://vssid.quan10.gov.vn) and restart the server."
    ),
    "Chưa tạo mã QR: máy chủ chưa có địa chỉ mà điện thoại truy cập được. Hãy đặt "
    "VSSID_PUBLIC_URL (ví dụ https://vssid.quan10.gov.vn) rồi khởi động lại máy chủ.": (
        "No QR code made: the server has no address phones reach. Set VSSID_PUBLIC_URL "
        "(e.g. https://vssid.quan10.gov.vn) and restart the server."
    ),
    "Chưa đặt VSSID_PUBLIC_URL: mã này dùng địa chỉ đang mở trang ({server}). Nếu điện "
    "thoại không vào được địa chỉ đó, hãy đặt VSSID_PUBLIC_URL rồi tạo lại mã.": (
        "VSSID_PUBLIC_URL is not set: this code uses the address this page is open at "
        "({server}). If phones cannot reach it, set VSSID_PUBLIC_URL and make the code again."
    ),
    "Mã QR": "QR code",
    "Đã cấp": "Issued",
    "Chưa cấp": "Not issued",
    "Tạo mã QR": "Make a QR code",
    "Tạo mã QR mới": "Make a new QR code",
    "Thêm cộng tác viên": "Add a collector",
    "Không thuộc đơn vị nào": "No unit",
    "Ít nhất {count} ký tự.": "At least {count} characters.",
    "Tạo tài khoản": "Create account",
    "Đã tạo tài khoản {username}.": "Account {username} created.",
    "Không tạo được tài khoản: {message}": "The account was not created: {message}",
    "Phiếu in theo đơn vị": "Printable sheets by unit",
    "In phiếu hướng dẫn": "Print the instruction sheet",
    "Mã QR cài đặt ODK Collect": "ODK Collect set-up QR code",
    "Mã QR của {username}": "QR code for {username}",
    "Máy chủ": "Server",
    "Mã QR cũ của tài khoản này không còn dùng được; điện thoại đã quét mã cũ cần quét mã mới.": (
        "The previous QR code of this account no longer works; a phone that scanned it must "
        "scan the new one."
    ),
    "Mã QR chứa quyền gửi phiếu: chỉ đưa cho đúng người.": (
        "The QR code grants the right to send forms: give it only to its person."
    ),
    "In": "Print",
    "Cài ODK Collect → Cấu hình bằng mã QR → quét mã": (
        "Install ODK Collect → Configure with QR code → scan the code"
    ),
    "Hướng dẫn cài đặt cho cộng tác viên": "Set-up instructions for collectors",
    "In phiếu sẽ tạo mã QR mới cho {count} cộng tác viên của {unit}; các mã cũ hết hiệu lực.": (
        "Printing makes new QR codes for {count} collectors of {unit}; the old codes stop working."
    ),
    "Tạo mã và in": "Make the codes and print",
    "Đơn vị này chưa có cộng tác viên.": "This unit has no collectors.",
    "Quay lại": "Back",
    # errors
    "Không có quyền truy cập": "Access denied",
    "Tài khoản của bạn không được xem trang này.": "Your account may not see this page.",
    "Không tìm thấy": "Not found",
    "Trang hoặc đơn vị này không tồn tại.": "This page or unit does not exist.",
    "Yêu cầu không hợp lệ": "Bad request",
    "Biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng tải lại trang rồi thử lại.": (
        "The form has expired or is invalid. Please reload the page and try again."
    ),
    "Lỗi": "Error",
    "Tạm thời chưa phục vụ được": "Unavailable for a moment",
    "Lỗi máy chủ; sự cố đã được ghi lại. Vui lòng thử lại sau.": (
        "Server error; it has been logged. Please try again later."
    ),
    "Yêu cầu chứa giá trị không hợp lệ.": "The request holds a value that cannot be stored.",
    "Về trang tiến độ": "Back to the progress page",
    "Không có trang này. Hãy kiểm tra lại địa chỉ.": "There is no such page. Check the address.",
    # outgoing webhooks (hooks.html, hooks.py)
    "Webhook": "Webhooks",
    "Webhook gửi đi": "Outgoing webhooks",
    "Mỗi sự kiện được gửi tới địa chỉ đăng ký, có chữ ký HMAC; gửi lại cho tới khi nhận được "
    "trả lời 2xx. Thêm hoặc xoá đăng ký bằng lệnh vssid hooks.": (
        "Each event is sent, signed with HMAC, to the subscribed address, and sent again until "
        "a 2xx answer comes back. Add or remove subscriptions with the vssid hooks command."
    ),
    "Đăng ký": "Subscriptions",
    "Chưa có đăng ký webhook nào.": "No webhook subscriptions yet.",
    "Địa chỉ": "Address",
    "Sự kiện": "Events",
    "Đang dùng": "Active",
    "Tạm dừng": "Paused",
    "Kèm dữ liệu cá nhân": "With personal data",
    "Đã gửi": "Delivered",
    "Đang chờ": "Pending",
    "Thất bại": "Failed",
    "Các lần gửi gần đây": "Recent attempts",
    "Chưa gửi lần nào.": "Nothing sent yet.",
    "Lần gửi": "Delivery",
    "Lúc": "At",
    "Mã HTTP": "HTTP status",
    "Gửi lại": "Redeliver",
    "Đã xếp lần gửi số {id} để gửi lại ngay.": "Delivery {id} will be sent again now.",
    "Không có lần gửi này.": "There is no such delivery.",
    # self-report links (selfreport_links.py)
    "Đường dẫn tự khai": "Self-report links",
    (
        "Cán bộ của đơn vị tự khai bằng điện thoại bất kỳ (cả iPhone), không cần tài khoản: "
        "gửi đường dẫn vào nhóm Zalo của đơn vị hoặc in áp phích có mã QR. Phiếu chỉ được "
        "tính khi mã số và ngày sinh khớp với danh sách của đơn vị."
    ): (
        "A unit's staff report for themselves from any phone (iPhone too), without an "
        "account: send the link to the unit's Zalo group or print the QR poster. A record "
        "counts only when the number and date of birth match the unit's roster."
    ),
    "Hết hạn": "Expired",
    "Đường dẫn": "Link",
    "Đã thu hồi": "Revoked",
    "Áp phích A4": "A4 poster",
    "Thu hồi": "Revoke",
    "Chưa có đường dẫn tự khai nào.": "No self-report links yet.",
    "Số ngày hiệu lực": "Days valid",
    "Tạo đường dẫn tự khai": "Make a self-report link",
    "Chiến dịch này không có biểu mẫu tự khai (selfreport_form).": (
        "This campaign has no self-report form (selfreport_form)."
    ),
    "Số ngày không hợp lệ.": "Invalid number of days.",
    "Đã thu hồi đường dẫn tự khai #{id}.": "Self-report link #{id} revoked.",
    "Đường dẫn này không còn dùng được.": "This link can no longer be used.",
    # the audit trail of personal-data views (audit.html, audit_trail.py)
    "Nhật ký truy cập": "Access log",
    "Nhật ký truy cập dữ liệu cá nhân": "Personal data access log",
    "Mỗi lần xem hoặc tải dữ liệu cá nhân (danh sách người, phiếu, tệp có họ tên) được ghi "
    "lại: ai, lúc nào, từ địa chỉ nào. Nhật ký không chứa họ tên hay câu trả lời, chỉ có mã "
    "định danh khi việc xem liên quan đến một người.": (
        "Every view or download of personal data (lists of people, submissions, files with "
        "names) is recorded: who, when, from which address. The log holds no names or "
        "answers, only the identifier when a view was about one person."
    ),
    "Từ ngày": "From",
    "Đến ngày": "To",
    "Tài khoản": "Account",
    "Thao tác": "Action",
    "Mã đơn vị": "Unit code",
    "Mã định danh": "Identifier",
    "Lọc": "Filter",
    "{count} lượt truy cập": "{count} accesses",
    "Tải CSV": "Download CSV",
    "Tải Excel": "Download Excel",
    "Thời điểm": "Time",
    "Vai trò": "Role",
    "Phiếu số": "Submission",
    "Đã che": "Masked",
    "Địa chỉ IP": "IP address",
    "Trang hoặc lệnh": "Page or command",
    "Dòng {first}–{last} trong {count}.": "Rows {first}–{last} of {count}.",
    "Không có lượt truy cập nào khớp bộ lọc.": "No access matches the filters.",
    # personal data (privacy.html, privacy.py)
    "Dữ liệu cá nhân": "Personal data",
    "Trả lời yêu cầu của một người về dữ liệu của họ (xem, sửa, xoá, rút lại sự đồng ý) và xoá "
    "dữ liệu cá nhân khi hết thời hạn lưu trữ, theo Luật Bảo vệ dữ liệu cá nhân số "
    "91/2025/QH15. Mỗi việc ghi lại ai làm, lúc nào và vì sao.": (
        "Answer a person's requests about their data (see, correct, erase, withdraw consent) "
        "and erase personal data when its retention period ends, under the Personal Data "
        "Protection Law No. 91/2025/QH15. Each action records who did it, when and why."
    ),
    "Tra cứu một người": "Look a person up",
    "Tra cứu": "Look up",
    "Không có dữ liệu nào về người có mã {person}.": "Nothing is held about the person {person}.",
    "Họ và tên đang lưu": "Names held",
    "Phiếu": "Records",
    "Dòng danh sách": "Roster entries",
    "Tệp đính kèm": "Attachments",
    "(không thuộc chiến dịch)": "(no campaign)",
    "Bản ghi đang được tính (sửa một câu trả lời tại trang duyệt phiếu):": (
        "Records that count now (correct an answer on the review page):"
    ),
    "phiếu số {id}": "submission {id}",
    "Xem: hồ sơ dữ liệu cá nhân": "See: the personal data file",
    "Một tệp Excel với mọi dữ liệu đang lưu về người này, các thông báo họ đã đồng ý và những "
    "ai đã xem.": (
        "One Excel file with everything held about this person, the notices they agreed to, "
        "and who viewed their data."
    ),
    "Lý do (đơn yêu cầu, ngày nhận)": "Reason (the request, the day it came)",
    "Tải hồ sơ (Excel)": "Download the file (Excel)",
    "Xoá hoặc rút lại sự đồng ý": "Erase, or withdraw consent",
    "Xoá vĩnh viễn họ tên, mã, ngày sinh, số điện thoại, ảnh và mọi trường cá nhân khỏi phiếu, "
    "danh sách và kho tệp. Số liệu thống kê vẫn giữ nguyên dưới một mã ẩn danh.": (
        "Erases for good the name, identifier, birth date, phone number, photos and every "
        "personal field from records, rosters and the file store. The statistics stay as they "
        "are, under an anonymous code."
    ),
    "Yêu cầu": "Request",
    "Xoá dữ liệu": "Erase the data",
    "Rút lại sự đồng ý": "Withdraw consent",
    "Gõ lại mã định danh để xác nhận": "Type the identifier again to confirm",
    "Xoá vĩnh viễn": "Erase for good",
    "Thời hạn lưu trữ": "Retention",
    "Kết thúc": "Ends",
    "Xoá từ ngày": "Erased from",
    "Phiếu còn dữ liệu cá nhân": "Records with personal data",
    "Người": "People",
    "Đến hạn xoá": "Due for erasure",
    "Tôi xác nhận": "I confirm",
    "Xoá dữ liệu cá nhân đã hết hạn": "Erase the expired personal data",
    "Không còn dữ liệu cá nhân": "No personal data left",
    "Còn {days} ngày": "{days} days left",
    "Chưa đến hạn": "Not due yet",
    "Chưa chiến dịch nào khai báo thời hạn lưu trữ (end_date và [privacy] retention_days).": (
        "No campaign sets a retention period yet (end_date and [privacy] retention_days)."
    ),
    "Các yêu cầu đã xử lý": "Requests handled",
    "Người / chiến dịch": "Person / campaign",
    "Người xử lý": "Handled by",
    "Chưa có yêu cầu nào.": "No request yet.",
    "Thiếu thông tin: {field}.": "Missing: {field}.",
    "Yêu cầu không hợp lệ.": "Not a valid request.",
    "Mã định danh không hợp lệ.": "Not a valid identifier.",
    "Cùng họ tên dưới mã khác (có thể là cùng một người ở chiến dịch khác; một yêu cầu xoá cần "
    "từng mã):": (
        "The same name under another identifier (maybe the same person in another campaign; an "
        "erasure needs each identifier):"
    ),
    "Mã định danh vẫn còn ở: {places}.": "The identifier is still in: {places}.",
    "Đã kiểm tra cơ sở dữ liệu và kho tệp: mã định danh không còn ở đâu.": (
        "The database and the file store were searched: the identifier is nowhere."
    ),
    "Họ tên của người này vẫn có ở: {places}. Có thể là người khác trùng tên, hoặc một ghi chú "
    "nhắc đến họ: hãy kiểm tra.": (
        "This person's name is still in: {places}. It may be another person of the same name, "
        "or a note that mentions them: check."
    ),
    "Họ tên của người này cũng không còn ở đâu.": "Their name is nowhere either.",
    "Hãy gõ lại đúng mã định danh để xác nhận việc xoá.": (
        "Type the identifier again exactly to confirm the erasure."
    ),
    "Đã xoá dữ liệu cá nhân ({submissions} phiếu, {entries} dòng danh sách, {files} tệp); số "
    "liệu được giữ dưới mã ẩn danh {pseudonym}.": (
        "Personal data erased ({submissions} records, {entries} roster entries, {files} "
        "files); the numbers are kept under the anonymous code {pseudonym}."
    ),
    "Chưa đến hạn xoá dữ liệu của chiến dịch này.": (
        "This campaign's data is not due for erasure yet."
    ),
    "Hãy đánh dấu ô xác nhận trước khi xoá.": "Tick the confirmation box before erasing.",
    "Đã xoá dữ liệu cá nhân của {count} người ({submissions} phiếu); số liệu giữ nguyên.": (
        "Personal data of {count} people erased ({submissions} records); the numbers are unchanged."
    ),
    "Đã đến hạn xoá dữ liệu cá nhân của chiến dịch «{campaign}» (từ {day}) theo thời hạn lưu "
    "trữ.": (
        "The personal data of the campaign «{campaign}» is due for erasure (since {day}): its "
        "retention period is over."
    ),
    "Xem trang Dữ liệu cá nhân": "See the Personal data page",
}


#: English for a count of one, where it differs ("1 unit", "1 person"): by the same
#: Vietnamese text as :data:`EN` (Vietnamese nouns have no plural). The count is the
#: ``denominator`` where the text has one, else ``count``.
EN_ONE: dict[str, str] = {
    "{count} lượt truy cập": "{count} access",
    "đơn vị": "unit",
    "{count} người": "{count} person",
    "{done} / {denominator} người": "{done} / {denominator} person",
    "{count} đơn vị chưa rõ tổng số (không tính vào tỷ lệ):": (
        "{count} unit with unknown headcount (not counted in the rates):"
    ),
    "{count} người {label} nhưng không có trong danh sách của đơn vị.": (
        "{count} person ({label}) is not on their unit's roster."
    ),
    "{count} người trong danh sách {label}. Danh sách tên chỉ hiển thị cho quản trị viên và "
    "đầu mối của đơn vị.": (
        "{count} person on the roster is {label}. Names are shown only to administrators "
        "and the unit's focal point."
    ),
    "In phiếu sẽ tạo mã QR mới cho {count} cộng tác viên của {unit}; các mã cũ hết hiệu lực.": (
        "Printing makes a new QR code for {count} collector of {unit}; the old code stops working."
    ),
}
