"""Word lists for synthetic people, businesses and places (Vietnam; UK and Ireland).

All values are invented combinations of common words; none describes a real person. Addresses
use real town names with made-up street numbers, and postcodes are built to pass the format
checks without aiming at real delivery points.
"""

from __future__ import annotations

VN_FAMILY = (
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
)
VN_MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Gia", "Bảo")
VN_GIVEN = (
    "An",
    "Bình",
    "Châu",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hiếu",
    "Hoa",
    "Hùng",
    "Hương",
    "Khánh",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Phúc",
    "Phương",
    "Quang",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Thắng",
    "Trang",
    "Trung",
    "Tuấn",
    "Vy",
    "Yến",
    "Đạt",
    "Ánh",
)
VN_BUSINESS = (
    "Quán Cơm Tấm",
    "Cửa hàng Tạp hóa",
    "Nhà hàng",
    "Công ty TNHH",
    "Tiệm Bánh Mì",
    "Trà Sữa",
    "Cà Phê",
    "Siêu thị Mini",
    "Nhà thuốc",
    "Công ty CP Thương mại",
    "Khách sạn",
    "Spa & Nail",
)
VN_BRAND = (
    "Phúc Lộc",
    "Hưng Thịnh",
    "Bình Minh",
    "Sao Mai",
    "Hoa Sen",
    "Ánh Dương",
    "Thành Đạt",
    "Việt Tiến",
    "Đông Á",
    "Kim Ngân",
    "Trường Sơn",
    "Hải Âu",
    "Mekong",
    "Sài Gòn Xanh",
)
VN_EMOJI = ("🧋", "☕", "🍜", "🥖", "✨", "🌸", "🚀", "💊")
VN_STREETS = (
    "Lê Lợi",
    "Nguyễn Huệ",
    "Hai Bà Trưng",
    "Trần Hưng Đạo",
    "Điện Biên Phủ",
    "Cách Mạng Tháng Tám",
    "Võ Văn Tần",
    "Pasteur",
    "Lý Tự Trọng",
    "Nguyễn Trãi",
)
VN_CITIES = (
    ("TP. Hồ Chí Minh", "HCM"),
    ("Hà Nội", "HN"),
    ("Đà Nẵng", "DN"),
    ("Cần Thơ", "CT"),
    ("Hải Phòng", "HP"),
    ("Nha Trang", "NT"),
)
VN_DISTRICTS = (
    "Quận 1",
    "Quận 3",
    "Quận 5",
    "Quận 7",
    "Quận 10",
    "Bình Thạnh",
    "Gò Vấp",
    "Thủ Đức",
    "Tân Bình",
    "Phú Nhuận",
)
VN_MOBILE_PREFIXES = ("90", "91", "93", "94", "97", "98", "86", "88", "70", "77")
VN_SOURCES = ("Website", "Facebook", "Zalo", "Hội chợ", "Giới thiệu", "Gọi điện", "Đối tác")
VN_DEPARTMENTS = ("Kinh doanh", "Kế toán", "Mua hàng", "Ban giám đốc", "Vận hành")
VN_JOB_TITLES = ("Chủ cửa hàng", "Giám đốc", "Kế toán trưởng", "Quản lý", "Nhân viên mua hàng")
VN_TAGS = ("HCM", "POS", "VIP", "Đại lý", "Chuỗi", "Khách mới", "Tái ký", "F&B")
VN_ACTIVITY_SUBJECTS = (
    "Gọi tư vấn gói POS",
    "Gửi báo giá",
    "Hẹn demo tại cửa hàng",
    "Nhắc thanh toán hóa đơn",
    "Khảo sát nhu cầu",
    "Ký hợp đồng",
    "Chăm sóc sau bán",
    "Follow-up 🚀",
)
VN_NOTE_LINES = (
    "Khách quan tâm gói 12 tháng.",
    "Cần xác nhận lại địa chỉ giao hàng.",
    "Chủ quán muốn dùng thử 7 ngày.",
    "Đã gửi hợp đồng qua Zalo ✨",
    "Khách hỏi về hóa đơn VAT.",
    "Hẹn gặp lại tuần sau.",
)
VN_PRODUCTS = (
    ("POS-12M", "Gói POS 12 tháng", "gói", "18000000"),
    ("POS-6M", "Gói POS 6 tháng", "gói", "9900000"),
    ("PRN-80", "Máy in hóa đơn 80mm", "cái", "2450000"),
    ("SCN-2D", "Máy quét mã vạch 2D", "cái", "1850000"),
    ("CASH-DRW", "Két đựng tiền", "cái", "1200000"),
    ("TAB-10", "Máy tính bảng 10 inch", "cái", "6500000"),
    ("SETUP", "Phí cài đặt", "lần", "500000"),
    ("TRAIN", "Đào tạo nhân viên", "buổi", "800000"),
)

IE_FORENAMES = (
    "Aoife",
    "Siobhán",
    "Niamh",
    "Seán",
    "Ciarán",
    "Eoin",
    "Oisín",
    "Caoimhe",
    "Saoirse",
    "Pádraig",
    "Róisín",
    "Declan",
    "Orla",
    "Conor",
    "Gráinne",
    "Éabha",
)
UK_FORENAMES = (
    "Oliver",
    "Amelia",
    "Harry",
    "Isla",
    "George",
    "Ava",
    "Jack",
    "Mia",
    "Charlie",
    "Emily",
    "Thomas",
    "Sophie",
    "William",
    "Grace",
    "James",
    "Lily",
    "Mohammed",
    "Priya",
    "Zofia",
    "Chloé",
    "Zoë",
)
SURNAMES = (
    "Ó Briain",
    "Mac Giolla",
    "O'Neill",
    "McLaughlin",
    "Doherty",
    "Gallagher",
    "Kelly",
    "Murphy",
    "Byrne",
    "Walsh",
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Wilson",
    "Evans",
    "Patel",
    "Khan",
    "Nowak",
    "Ní Bhraonáin",
    "Test",
    "Example",
)
TITLES_F = ("Ms", "Mrs", "Miss", "Dr")
TITLES_M = ("Mr", "Dr")
UK_STREETS = (
    "Strand Road",
    "Shipquay Street",
    "Great James Street",
    "Lisburn Road",
    "Ormeau Road",
    "High Street",
    "Main Street",
    "Church Lane",
    "Victoria Road",
)
ALLERGENS = ("Penicillin", "Latex", "Chlorhexidine", "Ibuprofen", "Peanuts")
CONDITIONS = ("Asthma", "Type 2 diabetes", "Hypertension", "Epilepsy", "Angina")
MEDICATIONS = (
    ("Salbutamol", "100mcg", "as needed"),
    ("Metformin", "500mg", "twice daily"),
    ("Warfarin", "3mg", "daily"),
    ("Amlodipine", "5mg", "daily"),
)
CLINICAL_LINES = (
    "Patient reports sensitivity on cold.",
    "No change since last visit.",
    "Advised interdental cleaning.",
    "Discussed options, patient to consider.",
    "Local anaesthetic given, no complications.",
    "Review in 6 months 🙂",
    "Radiograph taken, no apical pathology.",
    "Lab work sent.",
)
APPOINTMENT_TYPES = (
    ("Examination", 20, "#3b82f6"),
    ("Hygiene", 30, "#10b981"),
    ("Filling", 40, "#f59e0b"),
    ("Extraction", 30, "#ef4444"),
    ("Root canal", 90, "#8b5cf6"),
    ("Crown preparation", 60, "#ec4899"),
    ("Emergency", 20, "#dc2626"),
    ("Consultation", 15, "#6b7280"),
    ("Orthodontic review", 20, "#14b8a6"),
)
TREATMENTS = (
    ("EXAM", "Examination", "25.00"),
    ("SCALE_POLISH", "Scale and polish", "55.00"),
    ("FILLING_COMPOSITE", "Composite filling", "120.00"),
    ("FILLING_AMALGAM", "Amalgam filling", "85.00"),
    ("EXTRACTION", "Extraction", "95.00"),
    ("RCT", "Root canal treatment", "450.00"),
    ("CROWN", "Porcelain crown", "650.00"),
    ("XRAY_BW", "Bitewing radiographs", "30.00"),
)
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
EIRCODE_CHARS = "0123456789ACDEFHKNPRTVWXY"
