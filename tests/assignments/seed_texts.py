# ruff: noqa: E501
# The texts are copied whole, one line each, as the plan prints them.
"""The texts of plan 252/KH-UBND (Tiền Giang, 19/9/2018) that say who does the work.

Copied from the seed document: the "Thực hiện" column of the appendix, by criterion code
(rows with an empty cell left out), and the "Trách nhiệm thực hiện" lines of section II.
"""

APPENDIX_ACTIONS = {
    "1.1.1": "Sở Nội vụ tiếp tục tham mưu thực hiện đúng tiến độ",
    "1.1.2": "Sở Nội vụ tiếp tục tham mưu, theo dõi, đôn đốc thực hiện đúng tiến độ",
    "1.3.1": "Sở Nội vụ tiếp tục duy trì thực hiện",
    "1.3.2": "Sở Nội vụ tiếp tục duy trì thực hiện",
    "1.4.1": "Sở Nội vụ tiếp tục duy trì thực hiện",
    "1.4.2": "Sở Nội vụ tiếp tục duy trì thực hiện",
    "1.5": "Sở Nội vụ nghiên cứu, tham mưu UBND tỉnh sáng kiến, giải pháp mới trong cải cách hành chính",
    "1.6": "Văn phòng UBND tỉnh kiểm tra, rà soát, báo cáo UBND tỉnh chỉ đạo thực hiện đầy đủ các nhiệm vụ được Chính phủ, Thủ tướng Chính phủ giao",
    "2.1.1": "Sở Tư pháp tiếp tục duy trì thực hiện",
    "2.1.2": "Sở Tư pháp tiếp tục duy trì thực hiện",
    "2.2": "Sở Tư pháp tiếp tục duy trì thực hiện",
    "2.3": "Sở Tư pháp tăng cường kiểm tra, rà soát và tham mưu xử lý văn bản trái pháp luật",
    "2.4": "Sở Tư pháp tăng cường kiểm tra, rà soát tính đồng bộ, thống nhất, hợp lý, khả thi của hệ thống VBQPPL thuộc phạm vi quản lý nhà nước của tỉnh và kịp thời phát hiện, xử lý các bất cập, vướng mắc trong tổ chức thực hiện VBQPPL thuộc phạm vi quản lý nhà nước của tỉnh",
    "3.1.1": "Văn phòng UBND tỉnh tiếp tục duy trì thực hiện",
    "3.1.2": "Văn phòng UBND tỉnh tiếp tục duy trì thực hiện",
    "3.2.1": "Văn phòng UBND tỉnh tiếp tục duy trì thực hiện",
    "3.2.2": "Văn phòng UBND tỉnh tiếp tục duy trì thực hiện",
    "3.2.3": "Văn phòng UBND tỉnh tăng cường kiểm tra, rà soát, đảm bảo các cơ quan cấp tỉnh và ĐVHC cấp huyện, cấp xã công khai TTHC đầy đủ, đúng quy định",
    "3.2.4": "Văn phòng UBND tỉnh tiếp tục duy trì thực hiện",
    "3.3.1": "Văn phòng UBND tỉnh tiếp tục duy trì thực hiện",
    "3.3.2": "Văn phòng UBND tỉnh tiếp tục duy trì thực hiện",
    "3.3.3": "Văn phòng UBND tỉnh tiếp tục duy trì thực hiện",
    "3.3.4": "Văn phòng UBND tỉnh tiếp tục duy trì thực hiện",
    "3.3.5": "Văn phòng UBND tỉnh tiếp tục duy trì thực hiện",
    "3.4.1": "Các cơ quan chuyên môn cấp tỉnh đảm bảo từ 95% - 100% hồ sơ TTHC tiếp nhận trong năm được giải quyết đúng hạn.",
    "3.4.2": "UBND cấp huyện đảm bảo từ 95% - 100% hồ sơ TTHC tiếp nhận trong năm được giải quyết đúng hạn.",
    "3.4.3": "UBND cấp xã đảm bảo từ 95% - 100% hồ sơ TTHC tiếp nhận trong năm được giải quyết đúng hạn.",
    "3.5.1": "Văn phòng UBND tỉnh tham mưu UBND tỉnh chỉ đạo các cơ quan, đơn vị thực hiện đúng quy định việc tiếp nhận PAKN của cá nhân, tổ chức đối với TTHC thuộc thẩm quyền giải quyết của tỉnh",
    "3.5.2": "Văn phòng UBND tỉnh và các cơ quan, đơn vị tiếp tục duy trì thực hiện",
    "4.1.1": "Sở Nội vụ tham mưu UBND tỉnh sắp xếp tổ chức bộ máy và kiện toàn chức năng, nhiệm vụ của các CQCM cấp tỉnh, các phòng chuyên môn cấp huyện đúng quy định.",
    "4.1.2": "Sở Nội vụ tham mưu UBND tỉnh giải pháp thực hiện đúng quy định về cơ cấu số lượng lãnh đạo tại các cơ quan hành chính.",
    "4.2.1": "Các cơ quan hành chính duy trì sử dụng không vượt quá số lượng biên chế hành chính được giao.",
    "4.2.2": "Các ĐVSN công lập của tỉnh duy trì sử dụng không vượt quá số lượng người làm việc được giao.",
    "4.3.1": "Sở Nội vụ tiếp tục tham mưu duy trì thực hiện",
    "4.3.2": "Sở Nội vụ tiếp tục tham mưu duy trì thực hiện",
    "4.3.3": "Sở Nội vụ tiếp tục tham mưu duy trì thực hiện",
    "4.4": (
        "- Văn phòng UBND tăng cường kiểm tra, bảo đảm thực hiện đúng Quy chế làm việc của UBND tỉnh.\n"
        "- Sở Nội vụ kiểm tra, rà soát, bảo đảm tính hợp lý trong việc sắp xếp, kiện toàn tổ chức bộ máy của các cơ quan, đơn vị thuộc thẩm quyền của tỉnh.\n"
        "- Sở Nội vụ kiểm tra, rà soát, bảo đảm tính hợp lý trong việc phân cấp thực hiện nhiệm vụ quản lý nhà nước giữa tỉnh và huyện."
    ),
    "5.1.1": "Sở Nội vụ kiểm tra, rà soát, bảo đảm các cơ quan hành chính của tỉnh bố trí công chức theo đúng vị trí việc làm được phê duyệt.",
    "5.1.2": "Sở Nội vụ kiểm tra, rà soát, bảo đảm đơn vị sự nghiệp thuộc tỉnh bố trí viên chức theo đúng vị trí việc làm được phê duyệt.",
    "5.2.1": (
        "- Sở Nội vụ tham mưu UBND tỉnh thực hiện đúng quy định về tuyển dụng công chức tại CQCM cấp tỉnh.\n"
        "- UBND cấp huyện thực hiện đúng quy định về tuyển dụng công chức cấp xã."
    ),
    "5.2.2": (
        "- Các ĐVSN công lập thuộc tỉnh thực hiện đúng quy định về tuyển dụng viên chức (nếu có).\n"
        "- Sở Nội vụ theo dõi, kiểm tra, bảo đảm thực hiện đúng quy định về tuyển dụng viên chức."
    ),
    "5.3.1": "Sở Nội vụ tham mưu duy trì thực hiện đúng quy định",
    "5.3.2": "Các ĐVSN công lập trong tỉnh duy trì thực hiện đúng quy định",
    "5.4": "Sở Nội vụ tham mưu UBND tỉnh thực hiện đúng quy định về bổ nhiệm vị trí lãnh đạo tại các cơ quan hành chính",
    "5.5.1": "Sở Nội vụ duy trì thực hiện đúng quy định",
    "5.5.2": (
        "- Thủ trưởng các ngành, các cấp quán triệt cho đội ngũ CBCCVC chấp hành nghiêm kỷ luật, kỷ cương hành chính.\n"
        "- Sở Nội vụ tăng cường kiểm tra công vụ."
    ),
    "5.6": "Sở Nội vụ duy trì tổ chức thực hiện đúng quy định",
    "5.7.1": "UBND cấp huyện rà soát, có giải pháp bảo đảm tỷ lệ 100% công chức cấp xã đạt chuẩn.",
    "5.7.2": "UBND cấp huyện rà soát, có giải pháp bảo đảm tỷ lệ 100% cán bộ cấp xã đạt chuẩn.",
    "5.8": "Sở Nội vụ tham mưu UBND tỉnh và tổ chức thực hiện các giải pháp bảo đảm tính công khai, minh bạch, ngăn ngừa tiêu cực trong tuyển dụng, bổ nhiệm công chức, viên chức.",
    "5.9": "Sở Nội vụ tham mưu UBND tỉnh và tổ chức thực hiện các giải pháp nâng cao năng lực chuyên môn và tinh thần trách nhiệm của công chức trong phối hợp, xử lý công việc; nâng cao hiệu quả trong việc thực thi chính sách thu hút người có tài năng vào bộ máy hành chính; khắc phục tình trạng công chức lợi dụng chức vụ, quyền hạn để trục lợi cá nhân trong xử lý công việc.",
    "6.1": "Sở Tài chính tiếp tục tham mưu duy trì thực hiện",
    "6.2.1": "Sở Tài chính tiếp tục duy trì thực hiện",
    "6.2.2": "Sở Tài chính tham mưu UBND tỉnh và tổ chức thực hiện các giải pháp tăng số lượng đơn vị SNCL tự bảo đảm một phần chi thường xuyên",
    "6.2.3": "Sở Tài chính tiếp tục duy trì thực hiện",
    "6.3": (
        "- Các cơ quan hành chính và đơn vị SNCL trong tỉnh thực hiện tốt quy định tiết kiệm, chống lãng phí trong quản lý, sử dụng kinh phí của cơ quan, đơn vị; nâng cao hiệu quả của việc thực hiện cơ chế tự chủ, tự chịu trách nhiệm về sử dụng biên chế và kinh phí quản lý hành chính, hiệu quả của việc thực hiện cơ chế tự chủ tại các đơn vị sự nghiệp công lập.\n"
        "- Sở Tài chính thường xuyên kiểm tra việc thực hiện, kịp thời chấn chỉnh những sai sót"
    ),
    "7.1.1": "Sở Thông tin và Truyền thông tham mưu thực hiện hoàn thành 100% kế hoạch ứng dụng CNTT hàng năm.",
    "7.1.2": "Sở Thông tin và Truyền thông tiếp tục duy trì thực hiện.",
    "7.1.3": "Cơ quan hành chính nhà nước các cấp đảm bảo tỷ lệ 90% trở lên văn bản được trao đổi dưới dạng điện tử.",
    "7.1.4": "Sở Thông tin và Truyền thông tiếp tục duy trì thực hiện.",
    "7.1.5": "Sở Thông tin và Truyền thông tiếp tục duy trì thực hiện.",
    "7.2.1": "Sở Thông tin và Truyền thông tham mưu UBND tỉnh và tổ chức thực hiện các giải pháp tăng số lượng hồ sơ TTHC cung cấp trực tuyến ở mức độ 3, 4",
    "7.2.2": "Sở Thông tin và Truyền thông tham mưu UBND tỉnh và tổ chức thực hiện các giải pháp tăng tỷ lệ hồ sơ TTHC được xử lý trực tuyến mức độ 3.",
    "7.2.3": "Sở Thông tin và Truyền thông tham mưu UBND tỉnh và tổ chức thực hiện các giải pháp tăng tỷ lệ hồ sơ TTHC được xử lý trực tuyến mức độ 4.",
    "7.3.1": "Cơ quan hành chính nhà nước các cấp tiếp tục duy trì thực hiện",
    "7.3.2": "Cơ quan hành chính nhà nước các cấp tiếp tục duy trì thực hiện",
    "7.3.3": "Cơ quan hành chính nhà nước các cấp tiếp tục duy trì thực hiện",
    "7.4.1": "Sở Khoa học và Công nghệ tham mưu UBND tỉnh và tổ chức thực hiện các giải pháp để đạt được 100% CQCM cấp tỉnh, ĐVHC cấp huyện công bố ISO 9001 theo quy định.",
    "7.4.2": "Sở Khoa học và Công nghệ tham mưu UBND tỉnh và tổ chức thực hiện các giải pháp để đạt từ 40% trở lên ĐVHC cấp xã công bố ISO 9001 theo quy định.",
    "7.4.3": "Sở Khoa học và Công nghệ tiếp tục duy trì thực hiện",
    "7.5": (
        "- Sở Thông tin và Truyền thông phối hợp Văn phòng UBND tỉnh tham mưu UBND chỉ đạo các cơ quan, đơn vị bảo đảm tính kịp thời, đầy đủ của thông tin được cung cấp và sự thuận tiện trong việc truy cập, khai thác thông tin trên Cổng thông tin điện tử của tỉnh.\n"
        "- Sở Khoa học và Công nghệ tổ chức thực hiện các giải pháp nhằm nâng cao hiệu quả quy trình ISO."
    ),
    "8.1": "Điều tra XHH",
    "8.2.1": "Sở Kế hoạch và Đầu tư tham mưu UBND tỉnh và tổ chức thực hiện các giải pháp tăng mức độ thu hút đầu tư của tỉnh hàng năm",
    "8.2.2": "Sở Kế hoạch và Đầu tư tham mưu UBND tỉnh và tổ chức thực hiện các giải pháp tăng tỷ lệ doanh nghiệp thành lập mới hàng năm",
    "8.2.3": "Cơ quan tài chính các cấp tiếp tục duy trì thực hiện",
}

SECTION_II_RESPONSIBILITIES = {
    "1.2": [
        "- Đơn vị chủ trì: Sở Nội vụ.",
        "- Đơn vị phối hợp: các sở, ban, ngành tỉnh; Đài Phát thanh và Truyền hình tỉnh; Báo Ấp Bắc; UBND cấp huyện, cấp xã; các cơ quan, đơn vị có liên quan.",
    ],
    "2.2": [
        "- Đơn vị chủ trì: Sở Tư pháp, Văn phòng UBND tỉnh theo chức năng, nhiệm vụ tham mưu cho UBND tỉnh.",
        "- Đơn vị phối hợp: các sở, ban, ngành tỉnh; UBND cấp huyện, cấp xã; các cơ quan, đơn vị có liên quan.",
    ],
    "3.2": [
        "- Đơn vị chủ trì: Văn phòng UBND tỉnh.",
        "- Đơn vị phối hợp: các sở, ban, ngành tỉnh; UBND cấp huyện, cấp xã; các cơ quan, đơn vị có liên quan.",
    ],
    "4.2": [
        "- Đơn vị chủ trì: Sở Nội vụ.",
        "- Đơn vị phối hợp: các sở, ban, ngành tỉnh; UBND cấp huyện, cấp xã.",
    ],
    "5.2": [
        "- Đơn vị chủ trì: Sở Nội vụ.",
        "- Đơn vị phối hợp: các sở, ban, ngành tỉnh; UBND cấp huyện, cấp xã; các cơ quan, đơn vị có liên quan.",
    ],
    "6.2": [
        "- Đơn vị chủ trì: Sở Tài chính.",
        "- Đơn vị phối hợp: các sở, ban, ngành; UBND cấp huyện, cấp xã; các đơn vị sự nghiệp công lập trên địa bàn tỉnh.",
    ],
    "7.2": [
        "- Đơn vị chủ trì: Sở Thông tin và Truyền thông, Sở Khoa học và Công nghệ theo chức năng, nhiệm vụ tham mưu UBND tỉnh triển khai.",
        "- Đơn vị phối hợp: các sở, ban, ngành tỉnh; UBND cấp huyện, cấp xã và các cơ quan, đơn vị có liên quan.",
    ],
    "8.2": [
        "- Đơn vị chủ trì Văn phòng UBND tỉnh.",
        "- Đơn vị phối hợp: các sở, ban, ngành tỉnh; UBND cấp huyện, cấp xã và các cơ quan, đơn vị có liên quan.",
    ],
    "9.2": [
        "- Đơn vị chủ trì: Sở Kế hoạch và Đầu tư, Sở Y tế, Sở Giáo dục và Đào tạo tham mưu cho UBND tỉnh.",
        "- Đơn vị phối hợp: các sở, ban, ngành tỉnh; UBND cấp huyện, cấp xã và các cơ quan, đơn vị có liên quan.",
    ],
}
