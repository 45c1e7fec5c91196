<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="vi_VN">
  <context>
    <name>AttachmentListModel</name>
    <message>
      <source>File</source>
      <translation>Tệp</translation>
    </message>
    <message>
      <source>Kind</source>
      <translation>Loại</translation>
    </message>
    <message>
      <source>Size</source>
      <translation>Dung lượng</translation>
    </message>
    <message>
      <source>Added</source>
      <translation>Thêm lúc</translation>
    </message>
    <message>
      <source>Photo</source>
      <translation>Ảnh</translation>
    </message>
    <message>
      <source>Video</source>
      <translation>Video</translation>
    </message>
    <message>
      <source>Sound</source>
      <translation>Âm thanh</translation>
    </message>
    <message>
      <source>Document</source>
      <translation>Tài liệu</translation>
    </message>
    <message>
      <source>Lab result</source>
      <translation>Xét nghiệm</translation>
    </message>
    <message>
      <source>Imaging</source>
      <translation>Hình ảnh y khoa</translation>
    </message>
    <message>
      <source>%1 · %2 (%3 files)</source>
      <translation>%1 · %2 (%3 tệp)</translation>
    </message>
  </context>
  <context>
    <name>CapturePanel</name>
    <message>
      <source>Camera</source>
      <translation>Camera</translation>
    </message>
    <message>
      <source>Microphone</source>
      <translation>Micro</translation>
    </message>
    <message>
      <source>Attached files</source>
      <translation>Tệp đính kèm</translation>
    </message>
    <message>
      <source>Turn camera off</source>
      <translation>Tắt camera</translation>
    </message>
    <message>
      <source>Turn camera on</source>
      <translation>Bật camera</translation>
    </message>
    <message>
      <source>Take photo</source>
      <translation>Chụp ảnh</translation>
    </message>
    <message>
      <source>Stop recording</source>
      <translation>Dừng quay</translation>
    </message>
    <message>
      <source>Record video</source>
      <translation>Quay video</translation>
    </message>
    <message>
      <source>Stop</source>
      <translation>Dừng</translation>
    </message>
    <message>
      <source>Record sound</source>
      <translation>Ghi âm</translation>
    </message>
    <message>
      <source>Remove selected file</source>
      <translation>Xoá tệp đã chọn</translation>
    </message>
    <message>
      <source>Add files…</source>
      <translation>Thêm tệp…</translation>
    </message>
    <message>
      <source>Photos, PDF, lab results, DICOM images or a ZIP; you can also drop files here</source>
      <translation>Ảnh, PDF, kết quả xét nghiệm, ảnh DICOM hoặc tệp ZIP; có thể kéo thả tệp vào đây</translation>
    </message>
    <message>
      <source>Add a folder or CD…</source>
      <translation>Thêm thư mục hoặc đĩa CD…</translation>
    </message>
    <message>
      <source>Loading…</source>
      <translation>Đang tải…</translation>
    </message>
    <message>
      <source>No preview for %1: double-click to open it.</source>
      <translation>Không có ảnh xem trước cho %1: nhấp đúp để mở.</translation>
    </message>
    <message>
      <source>Opening the camera…</source>
      <translation>Đang mở camera…</translation>
    </message>
    <message>
      <source>%1 — live</source>
      <translation>%1 — trực tiếp</translation>
    </message>
    <message>
      <source>The camera was lost during the recording; what was recorded is kept.</source>
      <translation>Mất tín hiệu camera khi đang quay; phần đã ghi được vẫn được giữ lại.</translation>
    </message>
    <message>
      <source>Nothing was recorded: the microphone gave no sound.</source>
      <translation>Không ghi được gì: micro không có tín hiệu âm thanh.</translation>
    </message>
    <message>
      <source>Add files to the case</source>
      <translation>Thêm tệp vào hồ sơ</translation>
    </message>
    <message>
      <source>Add a folder or a CD</source>
      <translation>Thêm thư mục hoặc đĩa CD</translation>
    </message>
    <message>
      <source>The microphone stopped giving sound (unplugged, or the sound system stopped). Looking for it again…</source>
      <translation>Micro không còn tín hiệu (bị rút ra, hoặc hệ thống âm thanh đã dừng). Đang tìm lại micro…</translation>
    </message>
    <message>
      <source>The microphone stopped giving sound; looking for it again…</source>
      <translation>Micro không còn tín hiệu; đang tìm lại micro…</translation>
    </message>
    <message>
      <source>The microphone is back.</source>
      <translation>Micro đã hoạt động trở lại.</translation>
    </message>
    <message>
      <source>The microphone stopped giving sound during the recording: what was recorded (%1 s) is kept.</source>
      <translation>Micro mất tín hiệu khi đang ghi âm: phần đã ghi được (%1 giây) vẫn được giữ lại.</translation>
    </message>
    <message>
      <source>the device settings</source>
      <translation>cửa sổ cài đặt thiết bị</translation>
    </message>
    <message>
      <source>the pre-session check</source>
      <translation>phần kiểm tra trước phiên</translation>
    </message>
    <message>
      <source>the live consultation</source>
      <translation>phiên hội chẩn trực tuyến</translation>
    </message>
    <message>
      <source>The recording was stopped and kept: %1 needs the camera and microphone.</source>
      <translation>Đã dừng ghi và giữ lại phần đã ghi: %1 cần dùng camera và micro.</translation>
    </message>
    <message>
      <source>The camera and microphone are in use by %1; they come back here when it closes.</source>
      <translation>Camera và micro đang được %1 sử dụng; sẽ trở lại đây khi cửa sổ đó đóng.</translation>
    </message>
    <message>
      <source>The camera is back on this tab.</source>
      <translation>Camera đã trở lại thẻ này.</translation>
    </message>
    <message>
      <source>USB camera %1</source>
      <translation>Camera USB số %1</translation>
    </message>
  </context>
  <context>
    <name>CaseEditor</name>
    <message>
      <source>Full name</source>
      <translation>Họ và tên</translation>
    </message>
    <message>
      <source>Date of birth</source>
      <translation>Ngày sinh</translation>
    </message>
    <message>
      <source>Age (if no date)</source>
      <translation>Tuổi (nếu không rõ ngày sinh)</translation>
    </message>
    <message>
      <source>Sex</source>
      <translation>Giới tính</translation>
    </message>
    <message>
      <source>CCCD (citizen ID)</source>
      <translation>Số CCCD</translation>
    </message>
    <message>
      <source>BHYT card</source>
      <translation>Số thẻ BHYT</translation>
    </message>
    <message>
      <source>Phone</source>
      <translation>Điện thoại</translation>
    </message>
    <message>
      <source>Province / city</source>
      <translation>Tỉnh / thành phố</translation>
    </message>
    <message>
      <source>Commune / ward</source>
      <translation>Xã / phường</translation>
    </message>
    <message>
      <source>House, street, hamlet</source>
      <translation>Số nhà, đường, thôn, xóm</translation>
    </message>
    <message>
      <source>Urgency</source>
      <translation>Mức độ khẩn</translation>
    </message>
    <message>
      <source>Specialty asked</source>
      <translation>Chuyên khoa xin hội chẩn</translation>
    </message>
    <message>
      <source>Central hospital</source>
      <translation>Bệnh viện tuyến trên</translation>
    </message>
    <message>
      <source>Expert abroad</source>
      <translation>Chuyên gia nước ngoài</translation>
    </message>
    <message>
      <source>Reason for consultation</source>
      <translation>Lý do hội chẩn</translation>
    </message>
    <message>
      <source>Question for the experts</source>
      <translation>Câu hỏi cho chuyên gia</translation>
    </message>
    <message>
      <source>History</source>
      <translation>Tiền sử, bệnh sử</translation>
    </message>
    <message>
      <source>Examination</source>
      <translation>Khám lâm sàng</translation>
    </message>
    <message>
      <source>Current treatment</source>
      <translation>Điều trị hiện tại</translation>
    </message>
    <message>
      <source>Provisional diagnosis (ICD-10)</source>
      <translation>Chẩn đoán sơ bộ (ICD-10)</translation>
    </message>
    <message>
      <source>Diagnosis in words</source>
      <translation>Chẩn đoán (diễn giải)</translation>
    </message>
    <message>
      <source>Pulse (bpm)</source>
      <translation>Mạch (lần/phút)</translation>
    </message>
    <message>
      <source>Blood pressure (mmHg)</source>
      <translation>Huyết áp (mmHg)</translation>
    </message>
    <message>
      <source>Respiratory rate (/min)</source>
      <translation>Nhịp thở (lần/phút)</translation>
    </message>
    <message>
      <source>SpO₂ (%)</source>
      <translation>SpO₂ (%)</translation>
    </message>
    <message>
      <source>Temperature (°C)</source>
      <translation>Nhiệt độ (°C)</translation>
    </message>
    <message>
      <source>Weight (kg)</source>
      <translation>Cân nặng (kg)</translation>
    </message>
    <message>
      <source>Patient</source>
      <translation>Bệnh nhân</translation>
    </message>
    <message>
      <source>Consultation request</source>
      <translation>Yêu cầu hội chẩn</translation>
    </message>
    <message>
      <source>Vital signs</source>
      <translation>Dấu hiệu sinh tồn</translation>
    </message>
    <message>
      <source>Clinical findings</source>
      <translation>Lâm sàng</translation>
    </message>
    <message>
      <source>dd/mm/yyyy or yyyy</source>
      <translation>dd/mm/yyyy hoặc yyyy</translation>
    </message>
    <message>
      <source>12 digits</source>
      <translation>12 chữ số</translation>
    </message>
    <message>
      <source>e.g. DN4790123456789</source>
      <translation>ví dụ DN4790123456789</translation>
    </message>
    <message>
      <source>Also accepts an old address (district, commune)</source>
      <translation>Có thể ghi địa chỉ cũ (huyện, xã)</translation>
    </message>
    <message>
      <source>code or words</source>
      <translation>mã hoặc tên bệnh</translation>
    </message>
    <message>
      <source>Mark ready</source>
      <translation>Sẵn sàng gửi</translation>
    </message>
    <message>
      <source>Check the case and mark it ready to send (Ctrl+R)</source>
      <translation>Kiểm tra hồ sơ và đánh dấu sẵn sàng gửi (Ctrl+R)</translation>
    </message>
    <message>
      <source>Edit again</source>
      <translation>Sửa lại</translation>
    </message>
    <message>
      <source>Send for consultation</source>
      <translation>Gửi hội chẩn</translation>
    </message>
    <message>
      <source>Queue the case for the central hospital (Ctrl+Enter)</source>
      <translation>Đưa hồ sơ vào hàng đợi gửi bệnh viện tuyến trên (Ctrl+Enter)</translation>
    </message>
    <message>
      <source>Close case</source>
      <translation>Đóng hồ sơ</translation>
    </message>
    <message>
      <source>Reopen as new case</source>
      <translation>Mở lại thành hồ sơ mới</translation>
    </message>
    <message>
      <source>Case record</source>
      <translation>Hồ sơ</translation>
    </message>
    <message>
      <source>Photos, video, sound (%1)</source>
      <translation>Ảnh, video, âm thanh (%1)</translation>
    </message>
    <message>
      <source>Imaging (DICOM)</source>
      <translation>Chẩn đoán hình ảnh (DICOM)</translation>
    </message>
    <message>
      <source>No case open</source>
      <translation>Chưa mở hồ sơ nào</translation>
    </message>
    <message>
      <source>(no name yet)</source>
      <translation>(chưa có tên)</translation>
    </message>
    <message>
      <source>Case %1 — %2</source>
      <translation>Hồ sơ %1 — %2</translation>
    </message>
    <message>
      <source>Saving…</source>
      <translation>Đang lưu…</translation>
    </message>
    <message>
      <source>Saved %1</source>
      <translation>Đã lưu lúc %1</translation>
    </message>
    <message>
      <source>Not saved</source>
      <translation>Chưa lưu</translation>
    </message>
    <message>
      <source>Not saved yet: %1 What you typed is still here; saving again in a few seconds.</source>
      <translation>Chưa lưu được: %1 Nội dung đã nhập vẫn còn nguyên; sẽ tự lưu lại sau vài giây.</translation>
    </message>
    <message>
      <source>This case has been sent and can no longer be changed.</source>
      <translation>Hồ sơ đã gửi, không thể sửa nữa.</translation>
    </message>
    <message>
      <source>The case is not complete: the fields marked in red need attention (%1).</source>
      <translation>Hồ sơ chưa đầy đủ: cần bổ sung các mục đánh dấu màu đỏ (%1 mục).</translation>
    </message>
    <message>
      <source>Check the images</source>
      <translation>Kiểm tra ảnh</translation>
    </message>
    <message>
      <source>%1 image(s) may show the patient's name in the picture itself (ultrasound, screen captures). Look at them in %2 before they go abroad.

Have you checked them?</source>
      <translation>%1 ảnh có thể còn tên bệnh nhân in trên chính hình ảnh (siêu âm, ảnh chụp màn hình). Hãy xem lại trong %2 trước khi gửi ra nước ngoài.

Bạn đã kiểm tra chưa?</translation>
    </message>
    <message>
      <source>Not sent: check the images first (%1).</source>
      <translation>Chưa gửi: hãy kiểm tra ảnh trước (%1).</translation>
    </message>
    <message>
      <source>Not sent: %1 image file(s) could not be made anonymous. Remove or replace them, then send again.</source>
      <translation>Chưa gửi: %1 tệp ảnh không ẩn danh được. Hãy xoá hoặc thay thế rồi gửi lại.</translation>
    </message>
    <message>
      <source>Not sent: %1 image file(s) still show the patient's identity after de-identification (in %2). Remove them from the case, or replace them with copies without the patient's details, then send again.</source>
      <translation>Chưa gửi: %1 tệp ảnh vẫn còn thông tin nhận dạng bệnh nhân sau khi ẩn danh (ở %2). Hãy xoá các tệp này khỏi hồ sơ, hoặc thay bằng bản không có thông tin của bệnh nhân, rồi gửi lại.</translation>
    </message>
    <message>
      <source>This action is not possible for a case that is %1.</source>
      <translation>Không thể thực hiện thao tác này với hồ sơ ở trạng thái %1.</translation>
    </message>
    <message>
      <source>Removing the patient's identity from the images for the expert abroad…</source>
      <translation>Đang ẩn danh ảnh để gửi chuyên gia nước ngoài…</translation>
    </message>
    <message>
      <source>Cancel</source>
      <translation>Huỷ</translation>
    </message>
    <message>
      <source>Send this case for consultation? (%1)</source>
      <translation>Gửi hồ sơ này đi hội chẩn? (%1)</translation>
    </message>
    <message>
      <source>Once sent, the case can no longer be changed on this station. It leaves for the central hospital at the next sync; the experts' questions and answers come back here.</source>
      <translation>Sau khi gửi, hồ sơ không thể sửa trên máy này nữa. Hồ sơ được chuyển lên bệnh viện tuyến trên ở lần đồng bộ kế tiếp; câu hỏi và trả lời của chuyên gia sẽ gửi về đây.</translation>
    </message>
    <message>
      <source>Close this case? (%1)</source>
      <translation>Đóng hồ sơ này? (%1)</translation>
    </message>
    <message>
      <source>The consultation is finished here and at the central hospital, and the case can no longer be changed. To follow the patient up later, reopen it as a new case.</source>
      <translation>Cuộc hội chẩn kết thúc tại đây và tại bệnh viện tuyến trên, hồ sơ không thể sửa nữa. Muốn theo dõi tiếp bệnh nhân, hãy mở lại thành hồ sơ mới.</translation>
    </message>
    <message>
      <source>Delete draft</source>
      <translation>Xoá bản nháp</translation>
    </message>
    <message>
      <source>Delete this draft and its attachments (a case once sent is kept)</source>
      <translation>Xoá bản nháp này cùng các tệp đính kèm (hồ sơ đã gửi thì không xoá được)</translation>
    </message>
    <message>
      <source>Delete this draft? (%1)</source>
      <translation>Xoá bản nháp này? (%1)</translation>
    </message>
    <message>
      <source>The draft and its photos, recordings, documents and images are deleted from this station and cannot be recovered. A case already sent is never deleted.</source>
      <translation>Bản nháp cùng ảnh, ghi âm, tài liệu và ảnh chẩn đoán của nó sẽ bị xoá khỏi máy này và không lấy lại được. Hồ sơ đã gửi thì không bao giờ bị xoá.</translation>
    </message>
    <message>
      <source>born %1</source>
      <translation>sinh %1</translation>
    </message>
    <message>
      <source>%1 years old</source>
      <translation>%1 tuổi</translation>
    </message>
    <message>
      <source>This %1 is already on another patient: %2 (case %3).</source>
      <translation>Số %1 này đã có ở bệnh nhân khác: %2 (hồ sơ %3).</translation>
    </message>
    <message>
      <source>Patient already known</source>
      <translation>Bệnh nhân đã có trong máy</translation>
    </message>
    <message>
      <source>If it is the same person, use that patient's details for this case. Otherwise check the number: two patients cannot share it.</source>
      <translation>Nếu là cùng một người, hãy dùng thông tin của bệnh nhân đó cho hồ sơ này. Nếu không, hãy kiểm tra lại số: hai bệnh nhân không thể trùng số.</translation>
    </message>
    <message>
      <source>Use this patient</source>
      <translation>Dùng bệnh nhân này</translation>
    </message>
    <message>
      <source>Keep going</source>
      <translation>Vẫn tiếp tục</translation>
    </message>
    <message>
      <source>Also on %1 (case %2): check the number.</source>
      <translation>Trùng với %1 (hồ sơ %2): hãy kiểm tra lại số.</translation>
    </message>
    <message>
      <source>Follow-up of case %1 (%2, %3)</source>
      <translation>Theo dõi tiếp hồ sơ %1 (%2, %3)</translation>
    </message>
    <message>
      <source>images leave without the patient's identity</source>
      <translation>ảnh gửi đi không kèm thông tin nhận dạng bệnh nhân</translation>
    </message>
    <message>
      <source>Consultation</source>
      <translation>Hội chẩn</translation>
    </message>
    <message>
      <source>%1 new</source>
      <translation>%1 mới</translation>
    </message>
  </context>
  <context>
    <name>CaseListModel</name>
    <message>
      <source>No.</source>
      <translation>Số</translation>
    </message>
    <message>
      <source>Patient</source>
      <translation>Bệnh nhân</translation>
    </message>
    <message>
      <source>Age / sex</source>
      <translation>Tuổi / giới</translation>
    </message>
    <message>
      <source>Urgency</source>
      <translation>Mức độ khẩn</translation>
    </message>
    <message>
      <source>Status</source>
      <translation>Trạng thái</translation>
    </message>
    <message>
      <source>Last change</source>
      <translation>Cập nhật</translation>
    </message>
    <message>
      <source>%1 item(s) waiting to be sent</source>
      <translation>%1 mục đang chờ gửi</translation>
    </message>
    <message>
      <source>(no name yet)</source>
      <translation>(chưa có tên)</translation>
    </message>
    <message>
      <source>age %1</source>
      <translation>%1 tuổi</translation>
    </message>
    <message>
      <source>%1 month old</source>
      <translation>%1 tháng tuổi</translation>
    </message>
    <message>
      <source>%1 months old</source>
      <translation>%1 tháng tuổi</translation>
    </message>
    <message>
      <source>%1 day old</source>
      <translation>%1 ngày tuổi</translation>
    </message>
    <message>
      <source>%1 days old</source>
      <translation>%1 ngày tuổi</translation>
    </message>
    <message>
      <source>born %1</source>
      <translation>sinh %1</translation>
    </message>
    <message>
      <source>%1 new</source>
      <translation>%1 mới</translation>
    </message>
    <message>
      <source>conflict</source>
      <translation>xung đột</translation>
    </message>
  </context>
  <context>
    <name>CaseListPanel</name>
    <message>
      <source>Search by name, CCCD, BHYT or phone (accents optional)</source>
      <translation>Tìm theo tên, CCCD, BHYT hoặc điện thoại (không cần gõ dấu)</translation>
    </message>
    <message>
      <source>All statuses</source>
      <translation>Mọi trạng thái</translation>
    </message>
    <message>
      <source>All urgencies</source>
      <translation>Mọi mức độ</translation>
    </message>
    <message>
      <source>Cases: %1</source>
      <translation>%1 hồ sơ</translation>
    </message>
    <message>
      <source>Showing %1 of %2 cases</source>
      <translation>%1 / %2 hồ sơ</translation>
    </message>
    <message>
      <source>New answers</source>
      <translation>Có trả lời mới</translation>
    </message>
    <message>
      <source>Show only the cases with an answer from the experts you have not read yet</source>
      <translation>Chỉ hiện các ca có trả lời của chuyên gia mà bạn chưa đọc</translation>
    </message>
  </context>
  <context>
    <name>CheckDialog</name>
    <message>
      <source>Pre-session check</source>
      <translation>Kiểm tra trước phiên</translation>
    </message>
    <message>
      <source>Part</source>
      <translation>Thành phần</translation>
    </message>
    <message>
      <source>Result</source>
      <translation>Kết quả</translation>
    </message>
    <message>
      <source>What to do</source>
      <translation>Hướng dẫn</translation>
    </message>
    <message>
      <source>Run the check</source>
      <translation>Chạy kiểm tra</translation>
    </message>
    <message>
      <source>Export results…</source>
      <translation>Xuất kết quả…</translation>
    </message>
    <message>
      <source>Close</source>
      <translation>Đóng</translation>
    </message>
    <message>
      <source>Checks the camera, microphone, speaker and the link to the hub. It takes about 15 seconds.</source>
      <translation>Kiểm tra camera, micro, loa và đường truyền tới trung tâm. Mất khoảng 15 giây.</translation>
    </message>
    <message>
      <source>Camera</source>
      <translation>Camera</translation>
    </message>
    <message>
      <source>Microphone</source>
      <translation>Micro</translation>
    </message>
    <message>
      <source>Speaker</source>
      <translation>Loa</translation>
    </message>
    <message>
      <source>Link</source>
      <translation>Đường truyền</translation>
    </message>
    <message>
      <source>Good</source>
      <translation>Tốt</translation>
    </message>
    <message>
      <source>Poor</source>
      <translation>Kém</translation>
    </message>
    <message>
      <source>Unfit</source>
      <translation>Không đạt</translation>
    </message>
    <message>
      <source>Checking…</source>
      <translation>Đang kiểm tra…</translation>
    </message>
    <message>
      <source>Checking: %1…</source>
      <translation>Đang kiểm tra: %1…</translation>
    </message>
    <message>
      <source>The station is ready for the session.</source>
      <translation>Điểm cầu đã sẵn sàng cho phiên hội chẩn.</translation>
    </message>
    <message>
      <source>The station is NOT ready: fix what is marked unfit.</source>
      <translation>Điểm cầu CHƯA sẵn sàng: hãy khắc phục các mục không đạt.</translation>
    </message>
    <message>
      <source>Export results</source>
      <translation>Xuất kết quả</translation>
    </message>
    <message>
      <source>%1 result(s) written to %2</source>
      <translation>Đã ghi %1 kết quả vào %2</translation>
    </message>
    <message>
      <source>Address checked: %1</source>
      <translation>Địa chỉ đã kiểm tra: %1</translation>
    </message>
    <message>
      <source>Technical detail: %1</source>
      <translation>Chi tiết kỹ thuật: %1</translation>
    </message>
  </context>
  <context>
    <name>ConclusionView</name>
    <message>
      <source>Conclusion of the consultation (signed)</source>
      <translation>Kết luận hội chẩn (đã ký)</translation>
    </message>
    <message>
      <source>Amended</source>
      <translation>Đã sửa đổi</translation>
    </message>
    <message>
      <source>Hide the earlier version(s)</source>
      <translation>Ẩn bản trước</translation>
    </message>
    <message>
      <source>Show the earlier version(s) (%1)</source>
      <translation>Xem bản trước (%1)</translation>
    </message>
    <message>
      <source>(name not given)</source>
      <translation>(không có tên)</translation>
    </message>
    <message>
      <source>Signed by</source>
      <translation>Người ký:</translation>
    </message>
    <message>
      <source>on</source>
      <translation>Thời gian:</translation>
    </message>
    <message>
      <source>Treatment direction</source>
      <translation>Hướng điều trị</translation>
    </message>
    <message>
      <source>Follow-up advice</source>
      <translation>Theo dõi, dặn dò</translation>
    </message>
    <message>
      <source>Replaced version, no longer in force (signed %1)</source>
      <translation>Bản đã được thay thế, không còn hiệu lực (ký lúc %1)</translation>
    </message>
  </context>
  <context>
    <name>ConflictDialog</name>
    <message>
      <source>Changed at the hub</source>
      <translation>Đã thay đổi tại trung tâm</translation>
    </message>
    <message>
      <source>Send your change anyway, replacing the experts' status, or leave the consultation as they set it?</source>
      <translation>Vẫn gửi thay đổi của bạn (thay trạng thái chuyên gia đã đặt), hay để nguyên hồ sơ như chuyên gia đã đặt?</translation>
    </message>
    <message>
      <source>Send my change</source>
      <translation>Gửi thay đổi của tôi</translation>
    </message>
    <message>
      <source>Leave it as the experts set it</source>
      <translation>Để nguyên như chuyên gia đặt</translation>
    </message>
  </context>
  <context>
    <name>ConsultationTab</name>
    <message>
      <source>Attach to the reply</source>
      <translation>Đính kèm vào trả lời</translation>
    </message>
    <message>
      <source>Photos, PDF, images (%1)</source>
      <translation>Ảnh, PDF, hình ảnh (%1)</translation>
    </message>
    <message>
      <source>Write a reply or attach a file first.</source>
      <translation>Hãy viết trả lời hoặc đính kèm một tệp trước.</translation>
    </message>
    <message>
      <source>The file could not be attached: %1</source>
      <translation>Không đính kèm được tệp: %1</translation>
    </message>
    <message>
      <source>Save the minutes</source>
      <translation>Lưu biên bản hội chẩn</translation>
    </message>
    <message>
      <source>Print the minutes</source>
      <translation>In biên bản</translation>
    </message>
    <message>
      <source>Report the treatment outcome</source>
      <translation>Báo kết quả điều trị</translation>
    </message>
    <message>
      <source>Live consultation</source>
      <translation>Hội chẩn trực tuyến</translation>
    </message>
    <message>
      <source>See and hear the experts now: start a live consultation on this case, or join the one already open</source>
      <translation>Gặp trực tiếp các chuyên gia: mở phiên hội chẩn trực tuyến cho ca này, hoặc vào phiên đang mở</translation>
    </message>
    <message>
      <source>The request as sent</source>
      <translation>Yêu cầu hội chẩn đã gửi</translation>
    </message>
    <message>
      <source>Messages with the experts</source>
      <translation>Trao đổi với chuyên gia</translation>
    </message>
    <message>
      <source>No message yet. The experts' questions and answers appear here.</source>
      <translation>Chưa có tin nhắn. Câu hỏi và trả lời của chuyên gia sẽ hiện ở đây.</translation>
    </message>
    <message>
      <source>Reply to the experts</source>
      <translation>Trả lời chuyên gia</translation>
    </message>
    <message>
      <source>Your answer to the experts' question, or new information…</source>
      <translation>Trả lời câu hỏi của chuyên gia, hoặc thông tin mới…</translation>
    </message>
    <message>
      <source>Attach…</source>
      <translation>Đính kèm…</translation>
    </message>
    <message>
      <source>Add a photo, a lab result (PDF) or an image to the reply</source>
      <translation>Thêm ảnh, kết quả xét nghiệm (PDF) hoặc hình ảnh vào trả lời</translation>
    </message>
    <message>
      <source>Send</source>
      <translation>Gửi</translation>
    </message>
    <message>
      <source>Sent as soon as the hub can be reached; works offline</source>
      <translation>Gửi ngay khi kết nối được trung tâm; dùng được khi mất mạng</translation>
    </message>
    <message>
      <source>The minutes (Biên bản hội chẩn) can be printed once the experts have signed the conclusion and the station has fetched it.</source>
      <translation>Biên bản hội chẩn in được khi chuyên gia đã ký kết luận và trạm đã tải biên bản về.</translation>
    </message>
    <message>
      <source>The minutes are being fetched from the hub; they can be printed after the next sync.</source>
      <translation>Đang tải biên bản từ trung tâm; in được sau lần đồng bộ tới.</translation>
    </message>
    <message>
      <source>Save the minutes as a PDF and open it to print</source>
      <translation>Lưu biên bản thành tệp PDF và mở để in</translation>
    </message>
    <message>
      <source>Asked of</source>
      <translation>Nơi được mời</translation>
    </message>
    <message>
      <source>Urgency</source>
      <translation>Mức độ khẩn</translation>
    </message>
    <message>
      <source>Reason</source>
      <translation>Lý do hội chẩn</translation>
    </message>
    <message>
      <source>Question</source>
      <translation>Câu hỏi</translation>
    </message>
    <message>
      <source>Provisional diagnosis</source>
      <translation>Chẩn đoán sơ bộ</translation>
    </message>
    <message>
      <source>An attachment kept at the hub</source>
      <translation>Tệp đính kèm lưu tại trung tâm</translation>
    </message>
    <message>
      <source>waiting to be sent</source>
      <translation>chờ gửi</translation>
    </message>
    <message>
      <source>sent</source>
      <translation>đã gửi</translation>
    </message>
    <message>
      <source>Accepted by the central hospital</source>
      <translation>Bệnh viện tuyến trên đã nhận ca</translation>
    </message>
    <message>
      <source>Assigned to %1</source>
      <translation>Đã phân công cho %1</translation>
    </message>
    <message>
      <source>Declined</source>
      <translation>Đã từ chối</translation>
    </message>
    <message>
      <source>Status changed</source>
      <translation>Trạng thái đã thay đổi</translation>
    </message>
    <message>
      <source>Question from the experts</source>
      <translation>Câu hỏi của chuyên gia</translation>
    </message>
    <message>
      <source>Note from the experts</source>
      <translation>Ghi chú của chuyên gia</translation>
    </message>
    <message>
      <source>Your reply</source>
      <translation>Trả lời của bạn</translation>
    </message>
    <message>
      <source>Treatment outcome reported</source>
      <translation>Đã báo kết quả điều trị</translation>
    </message>
    <message>
      <source>Answer from the experts</source>
      <translation>Trả lời của chuyên gia</translation>
    </message>
    <message>
      <source>Open the attached file</source>
      <translation>Mở tệp đính kèm</translation>
    </message>
  </context>
  <context>
    <name>Crash</name>
    <message>
      <source>Something went wrong</source>
      <translation>Đã xảy ra lỗi</translation>
    </message>
    <message>
      <source>Điểm Cầu met an unexpected problem and has written it to the log. Your cases are saved. You can go on working; if it happens again, tell IT staff.

%1</source>
      <translation>Điểm Cầu gặp một lỗi không mong muốn và đã ghi vào nhật ký. Các hồ sơ của bạn đã được lưu. Bạn có thể tiếp tục làm việc; nếu lỗi lặp lại, hãy báo cho cán bộ CNTT.

%1</translation>
    </message>
  </context>
  <context>
    <name>DeviceSettingsDialog</name>
    <message>
      <source>Device settings</source>
      <translation>Cài đặt thiết bị</translation>
    </message>
    <message>
      <source>Camera</source>
      <translation>Camera</translation>
    </message>
    <message>
      <source>Microphone and speaker</source>
      <translation>Micro và loa</translation>
    </message>
    <message>
      <source>Link to the hub</source>
      <translation>Đường truyền tới trung tâm</translation>
    </message>
    <message>
      <source>Resolution</source>
      <translation>Độ phân giải</translation>
    </message>
    <message>
      <source>Frames per second</source>
      <translation>Khung hình/giây</translation>
    </message>
    <message>
      <source>Microphone</source>
      <translation>Micro</translation>
    </message>
    <message>
      <source>Speaker</source>
      <translation>Loa</translation>
    </message>
    <message>
      <source>Address to check</source>
      <translation>Địa chỉ kiểm tra</translation>
    </message>
    <message>
      <source>Sample rate</source>
      <translation>Tần số lấy mẫu</translation>
    </message>
    <message>
      <source>Channels</source>
      <translation>Số kênh</translation>
    </message>
    <message>
      <source>USB number (0, 1…), rtsp://… or http://… of an IP camera</source>
      <translation>Số cổng USB (0, 1…), hoặc rtsp://… / http://… của camera IP</translation>
    </message>
    <message>
      <source>Stop the test</source>
      <translation>Dừng thử</translation>
    </message>
    <message>
      <source>Test the camera</source>
      <translation>Thử camera</translation>
    </message>
    <message>
      <source>Play a test tone</source>
      <translation>Phát âm thử</translation>
    </message>
    <message>
      <source>Record 3 s and play back</source>
      <translation>Ghi 3 giây rồi phát lại</translation>
    </message>
    <message>
      <source>System default</source>
      <translation>Mặc định của hệ thống</translation>
    </message>
    <message>
      <source>1 (mono)</source>
      <translation>1 (mono)</translation>
    </message>
    <message>
      <source>2 (stereo)</source>
      <translation>2 (stereo)</translation>
    </message>
    <message>
      <source>Save</source>
      <translation>Lưu</translation>
    </message>
    <message>
      <source>Cancel</source>
      <translation>Huỷ</translation>
    </message>
    <message>
      <source>Camera: enter a USB number, a video file or the camera's address.</source>
      <translation>Camera: hãy nhập số cổng USB, tệp video hoặc địa chỉ camera.</translation>
    </message>
    <message>
      <source>Camera: the address must start with rtsp:// or http://.</source>
      <translation>Camera: địa chỉ phải bắt đầu bằng rtsp:// hoặc http://.</translation>
    </message>
    <message>
      <source>Address to check: it must start with http:// or https://.</source>
      <translation>Địa chỉ kiểm tra: phải bắt đầu bằng http:// hoặc https://.</translation>
    </message>
    <message>
      <source>Opening the camera…</source>
      <translation>Đang mở camera…</translation>
    </message>
    <message>
      <source>%1×%2, %3 frames per second measured</source>
      <translation>%1×%2, đo được %3 khung hình/giây</translation>
    </message>
    <message>
      <source>Playing back what was recorded…</source>
      <translation>Đang phát lại đoạn vừa ghi…</translation>
    </message>
    <message>
      <source>Recording… speak now (%1 s)</source>
      <translation>Đang ghi… hãy nói (%1 giây)</translation>
    </message>
    <message>
      <source>Playing a test tone: you should hear a beep.</source>
      <translation>Đang phát âm thử: bạn sẽ nghe một tiếng bíp.</translation>
    </message>
    <message>
      <source>Done.</source>
      <translation>Xong.</translation>
    </message>
    <message>
      <source>No USB camera found on this computer. Plug one in and open this window again, or type the address of an IP camera (rtsp://… or http://…).</source>
      <translation>Không tìm thấy camera USB nào trên máy này. Hãy cắm camera rồi mở lại cửa sổ này, hoặc nhập địa chỉ camera IP (rtsp://… hoặc http://…).</translation>
    </message>
    <message>
      <source>Empty: the hub this station is enrolled with</source>
      <translation>Để trống: dùng địa chỉ trung tâm mà điểm cầu đã đăng ký</translation>
    </message>
  </context>
  <context>
    <name>Devices</name>
    <message>
      <source>No camera at USB index {index}. Plug the camera in, or choose another one in the device settings.</source>
      <translation>Không có camera ở cổng USB số {index}. Hãy cắm camera, hoặc chọn camera khác trong phần cài đặt thiết bị.</translation>
    </message>
    <message>
      <source>The camera {camera} does not answer. Check its address, the network cable and that it is switched on.</source>
      <translation>Camera {camera} không phản hồi. Hãy kiểm tra địa chỉ, dây mạng và nguồn điện của camera.</translation>
    </message>
    <message>
      <source>The video file {path} is not there.</source>
      <translation>Không tìm thấy tệp video {path}.</translation>
    </message>
    <message>
      <source>The camera stopped sending pictures; trying to reconnect…</source>
      <translation>Camera ngừng gửi hình; đang kết nối lại…</translation>
    </message>
    <message>
      <source>No microphone found. Plug one in, or check that the sound system is running.</source>
      <translation>Không tìm thấy micro. Hãy cắm micro, hoặc kiểm tra hệ thống âm thanh.</translation>
    </message>
    <message>
      <source>The microphone is busy: close the other program that uses it.</source>
      <translation>Micro đang bận: hãy đóng chương trình khác đang dùng micro.</translation>
    </message>
    <message>
      <source>The microphone cannot be opened: choose another one in the device settings.</source>
      <translation>Không mở được micro: hãy chọn micro khác trong phần cài đặt thiết bị.</translation>
    </message>
    <message>
      <source>No speaker found. Plug in speakers or headphones, or check the sound system.</source>
      <translation>Không tìm thấy loa. Hãy cắm loa hoặc tai nghe, hoặc kiểm tra hệ thống âm thanh.</translation>
    </message>
    <message>
      <source>The speaker is busy: close the other program.</source>
      <translation>Loa đang bận: hãy đóng chương trình khác.</translation>
    </message>
    <message>
      <source>The speaker cannot be used: choose another one in the device settings.</source>
      <translation>Không dùng được loa: hãy chọn loa khác trong phần cài đặt thiết bị.</translation>
    </message>
  </context>
  <context>
    <name>DicomViewer</name>
    <message>
      <source>This station does not have these images.</source>
      <translation>Máy trạm không có ảnh này.</translation>
    </message>
    <message>
      <source>Presenting: the other sites' viewers follow this one.</source>
      <translation>Đang trình chiếu: các điểm cầu khác xem theo màn hình này.</translation>
    </message>
    <message>
      <source>Following %1's presentation.</source>
      <translation>Đang theo dõi trình chiếu của %1.</translation>
    </message>
    <message>
      <source>Window: from the file</source>
      <translation>Cửa sổ: theo tệp</translation>
    </message>
    <message>
      <source>Lung</source>
      <translation>Phổi</translation>
    </message>
    <message>
      <source>Mediastinum</source>
      <translation>Trung thất</translation>
    </message>
    <message>
      <source>Bone</source>
      <translation>Xương</translation>
    </message>
    <message>
      <source>Brain</source>
      <translation>Não</translation>
    </message>
    <message>
      <source>Window: %1</source>
      <translation>Cửa sổ: %1</translation>
    </message>
    <message>
      <source>Stop</source>
      <translation>Dừng</translation>
    </message>
    <message>
      <source>Play</source>
      <translation>Phát</translation>
    </message>
    <message>
      <source>Key image ★</source>
      <translation>Ảnh chính ★</translation>
    </message>
    <message>
      <source>Mark key image</source>
      <translation>Đánh dấu ảnh chính</translation>
    </message>
    <message>
      <source>Fit</source>
      <translation>Vừa khung</translation>
    </message>
    <message>
      <source>Export anonymised…</source>
      <translation>Xuất bản ẩn danh…</translation>
    </message>
    <message>
      <source>A copy without the patient's identity, for experts abroad</source>
      <translation>Bản sao không còn thông tin nhận dạng bệnh nhân, dành cho chuyên gia nước ngoài</translation>
    </message>
    <message>
      <source>No imaging in this case yet. Add DICOM files, a folder or a CD on the “Photos, video, sound” tab.</source>
      <translation>Hồ sơ chưa có ảnh chẩn đoán. Hãy thêm tệp DICOM, thư mục hoặc đĩa CD ở thẻ “Ảnh, video, âm thanh”.</translation>
    </message>
    <message>
      <source>%1 image(s)</source>
      <translation>%1 ảnh</translation>
    </message>
    <message>
      <source>This image cannot be shown: %1</source>
      <translation>Không hiển thị được ảnh này: %1</translation>
    </message>
    <message>
      <source>Patient</source>
      <translation>Bệnh nhân</translation>
    </message>
    <message>
      <source>Patient ID</source>
      <translation>Mã bệnh nhân</translation>
    </message>
    <message>
      <source>Birth date</source>
      <translation>Ngày sinh</translation>
    </message>
    <message>
      <source>Sex</source>
      <translation>Giới tính</translation>
    </message>
    <message>
      <source>Study</source>
      <translation>Ca chụp</translation>
    </message>
    <message>
      <source>Series</source>
      <translation>Loạt ảnh</translation>
    </message>
    <message>
      <source>Image size</source>
      <translation>Kích thước ảnh</translation>
    </message>
    <message>
      <source>Frames</source>
      <translation>Số khung</translation>
    </message>
    <message>
      <source>Instance</source>
      <translation>Số thứ tự</translation>
    </message>
    <message>
      <source>yes</source>
      <translation>có</translation>
    </message>
    <message>
      <source>no</source>
      <translation>không</translation>
    </message>
    <message>
      <source>Folder for the anonymised copy</source>
      <translation>Thư mục lưu bản ẩn danh</translation>
    </message>
    <message>
      <source>Writing the anonymised copy…</source>
      <translation>Đang ghi bản ẩn danh…</translation>
    </message>
    <message>
      <source>%1 image file(s) written without the patient's identity to %2.</source>
      <translation>Đã ghi %1 tệp ảnh không còn thông tin nhận dạng bệnh nhân vào %2.</translation>
    </message>
    <message>
      <source>%1 of them may show the patient's name in the picture itself (ultrasound, screen captures): look at them before sending.</source>
      <translation>%1 tệp có thể còn tên bệnh nhân in trên chính hình ảnh (siêu âm, ảnh chụp màn hình): hãy xem lại trước khi gửi.</translation>
    </message>
    <message>
      <source>%1 file(s) could not be processed.</source>
      <translation>%1 tệp không xử lý được.</translation>
    </message>
    <message>
      <source>%1 file(s) were not written: they still show the patient's identity (in %2). Remove them from the case or replace them.</source>
      <translation>%1 tệp không được ghi vì vẫn còn thông tin nhận dạng bệnh nhân (ở %2). Hãy xoá các tệp này khỏi hồ sơ hoặc thay thế chúng.</translation>
    </message>
    <message>
      <source>Marks on the image</source>
      <translation>Chú thích trên ảnh</translation>
    </message>
    <message>
      <source>Show or hide the marks the file carries over the image (measurements, outlines: DICOM overlays)</source>
      <translation>Hiện hoặc ẩn các chú thích tệp vẽ kèm trên ảnh (số đo, đường viền)</translation>
    </message>
    <message>
      <source>Technical details</source>
      <translation>Chi tiết kỹ thuật</translation>
    </message>
    <message>
      <source>Male</source>
      <translation>Nam</translation>
    </message>
    <message>
      <source>Female</source>
      <translation>Nữ</translation>
    </message>
    <message>
      <source>Other</source>
      <translation>Khác</translation>
    </message>
    <message>
      <source>1 year</source>
      <translation>1 tuổi</translation>
    </message>
    <message>
      <source>%1 years</source>
      <translation>%1 tuổi</translation>
    </message>
    <message>
      <source>1 month</source>
      <translation>1 tháng tuổi</translation>
    </message>
    <message>
      <source>%1 months</source>
      <translation>%1 tháng tuổi</translation>
    </message>
    <message>
      <source>1 week</source>
      <translation>1 tuần tuổi</translation>
    </message>
    <message>
      <source>%1 weeks</source>
      <translation>%1 tuần tuổi</translation>
    </message>
    <message>
      <source>1 day</source>
      <translation>1 ngày tuổi</translation>
    </message>
    <message>
      <source>%1 days</source>
      <translation>%1 ngày tuổi</translation>
    </message>
    <message>
      <source>CT (computed tomography)</source>
      <translation>CT (cắt lớp vi tính)</translation>
    </message>
    <message>
      <source>MRI (magnetic resonance)</source>
      <translation>MRI (cộng hưởng từ)</translation>
    </message>
    <message>
      <source>Ultrasound</source>
      <translation>Siêu âm</translation>
    </message>
    <message>
      <source>X-ray</source>
      <translation>X-quang</translation>
    </message>
    <message>
      <source>Mammography</source>
      <translation>Chụp nhũ ảnh</translation>
    </message>
    <message>
      <source>Angiography</source>
      <translation>Chụp mạch</translation>
    </message>
    <message>
      <source>Fluoroscopy</source>
      <translation>X-quang tăng sáng</translation>
    </message>
    <message>
      <source>Nuclear medicine</source>
      <translation>Y học hạt nhân</translation>
    </message>
    <message>
      <source>PET</source>
      <translation>PET</translation>
    </message>
    <message>
      <source>ECG</source>
      <translation>Điện tim</translation>
    </message>
    <message>
      <source>Other image</source>
      <translation>Ảnh khác</translation>
    </message>
    <message>
      <source>Screen capture</source>
      <translation>Ảnh chụp màn hình</translation>
    </message>
    <message>
      <source>Age</source>
      <translation>Tuổi</translation>
    </message>
    <message>
      <source>Study date</source>
      <translation>Ngày chụp</translation>
    </message>
    <message>
      <source>Kind of imaging</source>
      <translation>Loại chụp</translation>
    </message>
    <message>
      <source>Window in the file</source>
      <translation>Cửa sổ trong tệp</translation>
    </message>
    <message>
      <source>Colour model</source>
      <translation>Mô hình màu</translation>
    </message>
    <message>
      <source>Bits per sample</source>
      <translation>Số bit mỗi mẫu</translation>
    </message>
    <message>
      <source>File encoding</source>
      <translation>Cách mã hoá tệp</translation>
    </message>
    <message>
      <source>Text burned into the image</source>
      <translation>Chữ in sẵn trên ảnh</translation>
    </message>
  </context>
  <context>
    <name>HubDialog</name>
    <message>
      <source>Central hub</source>
      <translation>Trung tâm</translation>
    </message>
    <message>
      <source>Hub address:</source>
      <translation>Địa chỉ trung tâm:</translation>
    </message>
    <message>
      <source>Enrollment code:</source>
      <translation>Mã đăng ký:</translation>
    </message>
    <message>
      <source>one-time code from the hub's administrator</source>
      <translation>mã dùng một lần do quản trị trung tâm cấp</translation>
    </message>
    <message>
      <source>Connect</source>
      <translation>Kết nối</translation>
    </message>
    <message>
      <source>This station is not connected to a hub yet.</source>
      <translation>Điểm cầu này chưa kết nối với trung tâm nào.</translation>
    </message>
    <message>
      <source>Now: the local hub on this machine (cases stay here). To send them to a central hospital, enter the hub's address and the code you were given.</source>
      <translation>Hiện tại: trung tâm cục bộ trên máy này (hồ sơ ở lại đây). Để gửi tới bệnh viện tuyến trung ương, hãy nhập địa chỉ trung tâm và mã đăng ký được cấp.</translation>
    </message>
    <message>
      <source>Now: %1, as facility %2. Entering a new address and code connects this station there instead.</source>
      <translation>Hiện tại: %1, với mã cơ sở %2. Nhập địa chỉ và mã mới sẽ chuyển điểm cầu này sang trung tâm đó.</translation>
    </message>
    <message>
      <source>Connecting to the hub…</source>
      <translation>Đang kết nối với trung tâm…</translation>
    </message>
    <message>
      <source>Connected as facility %1.</source>
      <translation>Đã kết nối với mã cơ sở %1.</translation>
    </message>
    <message>
      <source>The hub does not answer at this address. Check the address and the network link, then try again.</source>
      <translation>Trung tâm không trả lời ở địa chỉ này. Hãy kiểm tra địa chỉ và đường truyền rồi thử lại.</translation>
    </message>
    <message>
      <source>The hub refused the code: it is wrong, already used or expired. Ask the hub's administrator for a new one.</source>
      <translation>Trung tâm từ chối mã: mã sai, đã dùng hoặc đã hết hạn. Hãy xin quản trị trung tâm cấp mã mới.</translation>
    </message>
    <message>
      <source>Could not connect: %1</source>
      <translation>Không kết nối được: %1</translation>
    </message>
  </context>
  <context>
    <name>Import</name>
    <message>
      <source>not a DICOM file, though named like one</source>
      <translation>không phải tệp DICOM dù mang tên như vậy</translation>
    </message>
    <message>
      <source>damaged DICOM file</source>
      <translation>tệp DICOM bị hỏng</translation>
    </message>
    <message>
      <source>DICOM file without its identifiers (UIDs)</source>
      <translation>tệp DICOM thiếu mã định danh (UID)</translation>
    </message>
    <message>
      <source>DICOM file without an image (a report or plan)</source>
      <translation>tệp DICOM không có ảnh (báo cáo hoặc kế hoạch)</translation>
    </message>
    <message>
      <source>the file is cut short (incomplete copy)</source>
      <translation>tệp bị cắt cụt (sao chép không trọn vẹn)</translation>
    </message>
    <message>
      <source>a waveform recording (ECG…), not an image: not accepted</source>
      <translation>bản ghi sóng (điện tim…), không phải ảnh: chưa nhận</translation>
    </message>
    <message>
      <source>the image cannot be decoded (damaged or unusual data)</source>
      <translation>không giải mã được ảnh (dữ liệu hỏng hoặc bất thường)</translation>
    </message>
    <message>
      <source>the image declares an impossible size (refused)</source>
      <translation>ảnh khai báo kích thước bất thường (từ chối)</translation>
    </message>
    <message>
      <source>image compression not supported</source>
      <translation>kiểu nén ảnh chưa hỗ trợ</translation>
    </message>
    <message>
      <source>listed on the CD but missing</source>
      <translation>có trong danh mục đĩa CD nhưng bị thiếu</translation>
    </message>
    <message>
      <source>the CD index (DICOMDIR) is damaged: the DICOM files on the disc were read instead</source>
      <translation>danh mục đĩa CD (DICOMDIR) bị hỏng: đã đọc thẳng các tệp DICOM trên đĩa</translation>
    </message>
    <message>
      <source>the CD index (DICOMDIR) lists no images: the DICOM files on the disc were read instead</source>
      <translation>danh mục đĩa CD (DICOMDIR) không liệt kê ảnh nào: đã đọc thẳng các tệp DICOM trên đĩa</translation>
    </message>
    <message>
      <source>the CD index points outside the disc (refused)</source>
      <translation>danh mục đĩa CD trỏ ra ngoài đĩa (từ chối)</translation>
    </message>
    <message>
      <source>file too large (limit 1.5 GB)</source>
      <translation>tệp quá lớn (giới hạn 1,5 GB)</translation>
    </message>
    <message>
      <source>empty file</source>
      <translation>tệp rỗng</translation>
    </message>
    <message>
      <source>file not found</source>
      <translation>không tìm thấy tệp</translation>
    </message>
    <message>
      <source>the file cannot be read</source>
      <translation>không đọc được tệp</translation>
    </message>
    <message>
      <source>file type not accepted</source>
      <translation>loại tệp không được chấp nhận</translation>
    </message>
    <message>
      <source>no files in it</source>
      <translation>không có tệp nào</translation>
    </message>
    <message>
      <source>damaged ZIP archive</source>
      <translation>tệp ZIP bị hỏng</translation>
    </message>
    <message>
      <source>unsafe path inside the archive (refused)</source>
      <translation>đường dẫn không an toàn trong tệp nén (từ chối)</translation>
    </message>
    <message>
      <source>archive expands to far more than it holds (refused)</source>
      <translation>tệp nén giải ra dung lượng bất thường (từ chối)</translation>
    </message>
    <message>
      <source>too many files in the archive</source>
      <translation>tệp nén chứa quá nhiều tệp</translation>
    </message>
    <message>
      <source>password-protected file in the archive: unpack it first</source>
      <translation>tệp có mật khẩu trong tệp nén: hãy giải nén trước</translation>
    </message>
    <message>
      <source>damaged file inside the archive</source>
      <translation>tệp bên trong tệp nén bị hỏng</translation>
    </message>
    <message>
      <source>the archive uses a compression not supported: unpack it first</source>
      <translation>tệp nén dùng kiểu nén chưa hỗ trợ: hãy giải nén trước</translation>
    </message>
  </context>
  <context>
    <name>ImportJob</name>
    <message>
      <source>Adding files…</source>
      <translation>Đang thêm tệp…</translation>
    </message>
    <message>
      <source>Cancel</source>
      <translation>Huỷ</translation>
    </message>
    <message>
      <source>Adding %1…</source>
      <translation>Đang thêm %1…</translation>
    </message>
  </context>
  <context>
    <name>ImportResultsDialog</name>
    <message>
      <source>Files added</source>
      <translation>Kết quả thêm tệp</translation>
    </message>
    <message>
      <source>Imported: %1. Already in the case: %2. Not accepted: %3.</source>
      <translation>Đã thêm: %1. Đã có sẵn: %2. Không nhận: %3.</translation>
    </message>
    <message>
      <source>Stopped before the end: what was imported is kept.</source>
      <translation>Đã dừng giữa chừng: các tệp đã thêm vẫn được giữ.</translation>
    </message>
    <message>
      <source>Check the patient: the images of study %1 are of “%2” (born %3, sex %4), which does not match this case.</source>
      <translation>Kiểm tra bệnh nhân: ảnh của ca chụp %1 mang tên “%2” (sinh %3, giới %4), không khớp với hồ sơ này.</translation>
    </message>
    <message>
      <source>File</source>
      <translation>Tệp</translation>
    </message>
    <message>
      <source>Result</source>
      <translation>Kết quả</translation>
    </message>
    <message>
      <source>Reason</source>
      <translation>Lý do</translation>
    </message>
    <message>
      <source>imported</source>
      <translation>đã thêm</translation>
    </message>
    <message>
      <source>already there</source>
      <translation>đã có sẵn</translation>
    </message>
    <message>
      <source>not accepted</source>
      <translation>không nhận</translation>
    </message>
    <message>
      <source>Close</source>
      <translation>Đóng</translation>
    </message>
  </context>
  <context>
    <name>InvitationNotice</name>
    <message>
      <source>Join</source>
      <translation>Tham gia</translation>
    </message>
    <message>
      <source>Dismiss</source>
      <translation>Bỏ qua</translation>
    </message>
  </context>
  <context>
    <name>LiveController</name>
    <message>
      <source>The case work goes on as usual; try again in a moment, or call the other site by phone.</source>
      <translation>Việc hội chẩn trên hồ sơ vẫn làm bình thường; hãy thử lại sau ít phút, hoặc gọi điện cho điểm cầu kia.</translation>
    </message>
    <message>
      <source>This station is not invited to this live consultation.</source>
      <translation>Máy trạm này không được mời vào phiên hội chẩn trực tuyến này.</translation>
    </message>
    <message>
      <source>This live consultation has ended.</source>
      <translation>Phiên hội chẩn trực tuyến này đã kết thúc.</translation>
    </message>
    <message>
      <source>Nobody was invited: an expert chosen can no longer be invited (the account was disabled or removed on the hub). Search and choose again.</source>
      <translation>Chưa mời ai: một chuyên gia đã chọn không còn mời được (tài khoản đã bị khóa hoặc xóa trên máy chủ trung tâm). Hãy tìm và chọn lại.</translation>
    </message>
    <message>
      <source>Nobody was invited: this live consultation has invited as many sites and experts as the hub allows. Choose fewer, or ask the hub's administrator.</source>
      <translation>Chưa mời ai: phiên hội chẩn trực tuyến này đã mời đủ số điểm cầu và chuyên gia tối đa mà máy chủ trung tâm cho phép. Hãy chọn ít hơn, hoặc hỏi quản trị viên máy chủ trung tâm.</translation>
    </message>
    <message>
      <source>This station is not connected to a hub: live consultations need one (Tools → Central hub).</source>
      <translation>Máy trạm chưa kết nối với máy chủ trung tâm: hội chẩn trực tuyến cần kết nối này (Công cụ → Máy chủ trung tâm).</translation>
    </message>
    <message>
      <source>The hub cannot be reached: check the network.</source>
      <translation>Không liên lạc được với máy chủ trung tâm: hãy kiểm tra mạng.</translation>
    </message>
    <message>
      <source>this station gets no answer from it</source>
      <translation>máy trạm không nhận được trả lời</translation>
    </message>
    <message>
      <source>the hub cannot reach it</source>
      <translation>máy chủ trung tâm không liên lạc được</translation>
    </message>
    <message>
      <source>Cannot connect to the video server (Janus): %1.</source>
      <translation>Không kết nối được máy chủ hình ảnh (Janus): %1.</translation>
    </message>
    <message>
      <source>Technical detail: %1</source>
      <translation>Chi tiết kỹ thuật: %1</translation>
    </message>
    <message>
      <source>The hub refused: %1</source>
      <translation>Máy chủ trung tâm từ chối: %1</translation>
    </message>
    <message>
      <source>You are invited to a live consultation</source>
      <translation>Bạn được mời tham gia hội chẩn trực tuyến</translation>
    </message>
    <message>
      <source>%1 invites you to a live consultation</source>
      <translation>%1 mời tham gia hội chẩn trực tuyến</translation>
    </message>
    <message>
      <source>Live consultation</source>
      <translation>Hội chẩn trực tuyến</translation>
    </message>
  </context>
  <context>
    <name>LiveControls</name>
    <message>
      <source>High (720p)</source>
      <translation>Cao (720p)</translation>
    </message>
    <message>
      <source>Low bandwidth (360p)</source>
      <translation>Băng thông thấp (360p)</translation>
    </message>
    <message>
      <source>Audio only</source>
      <translation>Chỉ âm thanh</translation>
    </message>
    <message>
      <source>On a weak link choose low bandwidth, or audio only with still images</source>
      <translation>Đường truyền yếu: chọn băng thông thấp, hoặc chỉ âm thanh kèm ảnh tĩnh</translation>
    </message>
    <message>
      <source>Quality:</source>
      <translation>Chất lượng:</translation>
    </message>
    <message>
      <source>Show images</source>
      <translation>Trình chiếu ảnh</translation>
    </message>
    <message>
      <source>Show the case's images to every site, at full quality</source>
      <translation>Trình chiếu ảnh của ca cho mọi điểm cầu, giữ nguyên chất lượng</translation>
    </message>
    <message>
      <source>Stop presenting</source>
      <translation>Dừng trình chiếu</translation>
    </message>
    <message>
      <source>Every site stops following this station's images</source>
      <translation>Các điểm cầu thôi theo dõi ảnh của máy trạm này</translation>
    </message>
    <message>
      <source>Leave</source>
      <translation>Rời phiên</translation>
    </message>
    <message>
      <source>Rejoin</source>
      <translation>Vào lại</translation>
    </message>
    <message>
      <source>Unmute</source>
      <translation>Bật micro</translation>
    </message>
    <message>
      <source>Mute</source>
      <translation>Tắt micro</translation>
    </message>
    <message>
      <source>The others do not hear you</source>
      <translation>Những người khác không nghe thấy bạn</translation>
    </message>
    <message>
      <source>Turn your microphone off</source>
      <translation>Tắt micro của bạn</translation>
    </message>
    <message>
      <source>Start camera</source>
      <translation>Bật camera</translation>
    </message>
    <message>
      <source>Stop camera</source>
      <translation>Tắt camera</translation>
    </message>
    <message>
      <source>Lower hand</source>
      <translation>Hạ tay</translation>
    </message>
    <message>
      <source>Raise hand</source>
      <translation>Giơ tay</translation>
    </message>
  </context>
  <context>
    <name>LivePreviewDialog</name>
    <message>
      <source>Join the live consultation</source>
      <translation>Tham gia hội chẩn trực tuyến</translation>
    </message>
    <message>
      <source>Join now</source>
      <translation>Tham gia ngay</translation>
    </message>
    <message>
      <source>Cancel</source>
      <translation>Huỷ</translation>
    </message>
    <message>
      <source>Microphone</source>
      <translation>Micro</translation>
    </message>
    <message>
      <source>Quality</source>
      <translation>Chất lượng</translation>
    </message>
    <message>
      <source>Link</source>
      <translation>Đường truyền</translation>
    </message>
    <message>
      <source>High (720p)</source>
      <translation>Cao (720p)</translation>
    </message>
    <message>
      <source>Low bandwidth (360p)</source>
      <translation>Băng thông thấp (360p)</translation>
    </message>
    <message>
      <source>Audio only</source>
      <translation>Chỉ âm thanh</translation>
    </message>
    <message>
      <source>Not checked yet (Tools → Pre-session check).</source>
      <translation>Chưa kiểm tra (Công cụ → Kiểm tra trước phiên).</translation>
    </message>
    <message>
      <source>Good</source>
      <translation>Tốt</translation>
    </message>
    <message>
      <source>Poor</source>
      <translation>Yếu</translation>
    </message>
    <message>
      <source>Unfit</source>
      <translation>Không đạt</translation>
    </message>
    <message>
      <source>Chosen for you from the last link check; you can change it.</source>
      <translation>Đã chọn sẵn theo lần kiểm tra đường truyền gần nhất; bạn có thể đổi.</translation>
    </message>
    <message>
      <source>Opening the camera…</source>
      <translation>Đang mở camera…</translation>
    </message>
    <message>
      <source>You can still join: the others will see you but not hear you.</source>
      <translation>Vẫn tham gia được: mọi người sẽ thấy bạn nhưng không nghe được.</translation>
    </message>
    <message>
      <source>You can still join: the others will see your name instead.</source>
      <translation>Vẫn tham gia được: mọi người sẽ thấy tên bạn thay cho hình.</translation>
    </message>
  </context>
  <context>
    <name>ParticipantTile</name>
    <message>
      <source>Video paused to save bandwidth</source>
      <translation>Tạm dừng hình để tiết kiệm băng thông</translation>
    </message>
  </context>
  <context>
    <name>LiveWindow</name>
    <message>
      <source>Case %1</source>
      <translation>Ca %1</translation>
    </message>
    <message>
      <source>%1 years</source>
      <translation>%1 tuổi</translation>
    </message>
    <message>
      <source>Live consultation</source>
      <translation>Hội chẩn trực tuyến</translation>
    </message>
    <message>
      <source>Nobody else has joined yet. The other sites appear here as they join.</source>
      <translation>Chưa có ai khác vào phiên. Các điểm cầu khác sẽ hiện ở đây khi tham gia.</translation>
    </message>
    <message>
      <source>● Recording</source>
      <translation>● Đang ghi hình</translation>
    </message>
    <message>
      <source>Close</source>
      <translation>Đóng</translation>
    </message>
    <message>
      <source>Invite…</source>
      <translation>Mời…</translation>
    </message>
    <message>
      <source>Invite other sites and experts, found by name, place or specialty</source>
      <translation>Mời thêm điểm cầu và chuyên gia, tìm theo tên, địa danh hoặc chuyên khoa</translation>
    </message>
    <message>
      <source>You</source>
      <translation>Bạn</translation>
    </message>
    <message>
      <source>%1 (you)</source>
      <translation>%1 (bạn)</translation>
    </message>
    <message>
      <source>Connecting…</source>
      <translation>Đang kết nối…</translation>
    </message>
    <message>
      <source>Connection lost — reconnecting…</source>
      <translation>Mất kết nối — đang kết nối lại…</translation>
    </message>
    <message>
      <source>You have left the live consultation. Rejoin, or close this window.</source>
      <translation>Bạn đã rời phiên hội chẩn trực tuyến. Bấm “Vào lại”, hoặc đóng cửa sổ này.</translation>
    </message>
    <message>
      <source>The video server (Janus) refused this station's entry ticket (expired or not valid). Press Rejoin for a new one; if it happens again, tell the hub's administrator.</source>
      <translation>Máy chủ hình ảnh (Janus) từ chối vé vào phiên của máy trạm (đã hết hạn hoặc không hợp lệ). Bấm “Vào lại” để nhận vé mới; nếu vẫn bị, hãy báo quản trị máy chủ trung tâm.</translation>
    </message>
    <message>
      <source>Technical detail: %1</source>
      <translation>Chi tiết kỹ thuật: %1</translation>
    </message>
    <message>
      <source>Camera off</source>
      <translation>Camera đang tắt</translation>
    </message>
    <message>
      <source>No camera</source>
      <translation>Không có camera</translation>
    </message>
    <message>
      <source>Camera lost: the others see your name</source>
      <translation>Mất camera: mọi người thấy tên bạn thay cho hình</translation>
    </message>
    <message>
      <source>No microphone: the others do not hear you</source>
      <translation>Không có micro: mọi người không nghe được bạn</translation>
    </message>
    <message>
      <source>No camera: the others see your name</source>
      <translation>Không có camera: mọi người thấy tên bạn thay cho hình</translation>
    </message>
    <message>
      <source>You will not hear the others; they still see and hear you.</source>
      <translation>Bạn sẽ không nghe được những người khác; họ vẫn thấy và nghe bạn.</translation>
    </message>
    <message>
      <source>Inviting…</source>
      <translation>Đang gửi lời mời…</translation>
    </message>
    <message>
      <source>Invited: %1</source>
      <translation>Đã mời: %1</translation>
    </message>
    <message>
      <source>%1 expert(s)</source>
      <translation>%1 chuyên gia</translation>
    </message>
    <message>
      <source>Recording paused</source>
      <translation>Tạm dừng ghi hình</translation>
    </message>
    <message>
      <source>Recording waits for consent</source>
      <translation>Ghi hình chờ các điểm cầu đồng ý</translation>
    </message>
    <message>
      <source>(waiting for: %1)</source>
      <translation>(còn chờ: %1)</translation>
    </message>
    <message>
      <source>Recording</source>
      <translation>Ghi hình</translation>
    </message>
    <message>
      <source>The session asks to be recorded (TT 49/2017). Recording starts only when every site present agrees. Does this site agree?</source>
      <translation>Phiên đề nghị ghi hình (TT 49/2017). Chỉ ghi hình khi mọi điểm cầu đang tham gia đồng ý. Điểm cầu này có đồng ý không?</translation>
    </message>
    <message>
      <source>Agree to recording</source>
      <translation>Đồng ý ghi hình</translation>
    </message>
    <message>
      <source>Decline</source>
      <translation>Không đồng ý</translation>
    </message>
  </context>
  <context>
    <name>LocalConsoleDialog</name>
    <message>
      <source>Expert console (local hub)</source>
      <translation>Bảng điều khiển chuyên gia (trung tâm cục bộ)</translation>
    </message>
    <message>
      <source>The local hub on this machine has the experts' web console. Make a trial expert of the hospital and specialty a case asks, sign in with it in a browser, and answer the case as a central expert would: the answer comes back to this station.</source>
      <translation>Trung tâm cục bộ trên máy này có bảng điều khiển web của chuyên gia. Hãy tạo một chuyên gia thử của bệnh viện và chuyên khoa mà ca bệnh hỏi, đăng nhập bằng tài khoản đó trên trình duyệt và trả lời ca bệnh như một chuyên gia tuyến trung ương: câu trả lời sẽ về lại điểm cầu này.</translation>
    </message>
    <message>
      <source>Central hospital:</source>
      <translation>Bệnh viện tuyến trên:</translation>
    </message>
    <message>
      <source>Specialty:</source>
      <translation>Chuyên khoa:</translation>
    </message>
    <message>
      <source>Console address:</source>
      <translation>Địa chỉ bảng điều khiển:</translation>
    </message>
    <message>
      <source>Login:</source>
      <translation>Tên đăng nhập:</translation>
    </message>
    <message>
      <source>Password:</source>
      <translation>Mật khẩu:</translation>
    </message>
    <message>
      <source>Make the trial expert</source>
      <translation>Tạo chuyên gia thử</translation>
    </message>
    <message>
      <source>Open in the browser</source>
      <translation>Mở trong trình duyệt</translation>
    </message>
    <message>
      <source>Making the account on the local hub…</source>
      <translation>Đang tạo tài khoản trên trung tâm cục bộ…</translation>
    </message>
    <message>
      <source>Trial expert (%1)</source>
      <translation>Chuyên gia thử (%1)</translation>
    </message>
    <message>
      <source>Sign in with this login and password. They are kept on this machine only.</source>
      <translation>Đăng nhập bằng tên và mật khẩu này. Chúng chỉ được lưu trên máy này.</translation>
    </message>
    <message>
      <source>The local hub could not make the account: %1</source>
      <translation>Trung tâm cục bộ không tạo được tài khoản: %1</translation>
    </message>
  </context>
  <context>
    <name>MainWindow</name>
    <message>
      <source>Điểm Cầu — telehealth consultation station</source>
      <translation>Điểm Cầu — trạm khám, chữa bệnh từ xa</translation>
    </message>
    <message>
      <source>&amp;File</source>
      <translation>&amp;Tệp</translation>
    </message>
    <message>
      <source>&amp;Case</source>
      <translation>&amp;Hồ sơ</translation>
    </message>
    <message>
      <source>&amp;Language</source>
      <translation>&amp;Ngôn ngữ</translation>
    </message>
    <message>
      <source>&amp;Tools</source>
      <translation>&amp;Công cụ</translation>
    </message>
    <message>
      <source>Device settings…</source>
      <translation>Cài đặt thiết bị…</translation>
    </message>
    <message>
      <source>Pre-session check…</source>
      <translation>Kiểm tra trước phiên…</translation>
    </message>
    <message>
      <source>Central hub…</source>
      <translation>Trung tâm…</translation>
    </message>
    <message>
      <source>Expert console (local hub)…</source>
      <translation>Bảng điều khiển chuyên gia (trung tâm cục bộ)…</translation>
    </message>
    <message>
      <source>&amp;Help</source>
      <translation>Trợ &amp;giúp</translation>
    </message>
    <message>
      <source>New case</source>
      <translation>Hồ sơ mới</translation>
    </message>
    <message>
      <source>Start a new consultation case (Ctrl+N)</source>
      <translation>Tạo hồ sơ hội chẩn mới (Ctrl+N)</translation>
    </message>
    <message>
      <source>Mark ready</source>
      <translation>Sẵn sàng gửi</translation>
    </message>
    <message>
      <source>Send for consultation</source>
      <translation>Gửi hội chẩn</translation>
    </message>
    <message>
      <source>Find a case</source>
      <translation>Tìm hồ sơ</translation>
    </message>
    <message>
      <source>Quit</source>
      <translation>Thoát</translation>
    </message>
    <message>
      <source>About Điểm Cầu</source>
      <translation>Giới thiệu Điểm Cầu</translation>
    </message>
    <message>
      <source>Choose a case on the left, or press Ctrl+N to start a new one.
Everything is saved on this computer as you type; no network is needed.</source>
      <translation>Chọn một hồ sơ ở bên trái, hoặc nhấn Ctrl+N để tạo hồ sơ mới.
Mọi nội dung được lưu ngay trên máy này khi bạn gõ; không cần mạng.</translation>
    </message>
    <message>
      <source>Sync now</source>
      <translation>Đồng bộ ngay</translation>
    </message>
    <message>
      <source>Send what is waiting and fetch the experts' answers (F5)</source>
      <translation>Gửi những gì đang chờ và nhận trả lời của chuyên gia (F5)</translation>
    </message>
    <message>
      <source>The local hub could not start: %1</source>
      <translation>Không khởi động được trung tâm cục bộ: %1</translation>
    </message>
    <message>
      <source>Syncing with the hub…</source>
      <translation>Đang đồng bộ với trung tâm…</translation>
    </message>
    <message>
      <source>Consultation no. %1 — %2</source>
      <translation>Hồ sơ hội chẩn số %1 — %2</translation>
    </message>
    <message numerus="yes">
      <source>New answer from the experts for %n case(s).</source>
      <translation>
        <numerusform>Có trả lời mới của chuyên gia cho %n hồ sơ.</numerusform>
      </translation>
    </message>
    <message>
      <source>Điểm Cầu</source>
      <translation>Điểm Cầu</translation>
    </message>
    <message>
      <source>The camera and microphone are in use by the live consultation; leave it first.</source>
      <translation>Camera và micro đang dùng cho phiên hội chẩn trực tuyến; hãy rời phiên trước.</translation>
    </message>
    <message>
      <source>Device settings saved.</source>
      <translation>Đã lưu cài đặt thiết bị.</translation>
    </message>
    <message>
      <source>Connected to the hub; syncing…</source>
      <translation>Đã kết nối với trung tâm; đang đồng bộ…</translation>
    </message>
    <message>
      <source>Điểm Cầu %1 — telehealth consultation station.
Data folder: %2</source>
      <translation>Điểm Cầu %1 — trạm khám, chữa bệnh từ xa.
Thư mục dữ liệu: %2</translation>
    </message>
    <message>
      <source>Draft deleted.</source>
      <translation>Đã xoá bản nháp.</translation>
    </message>
    <message>
      <source>Sync done: %1 item(s) sent, %2 new answer(s).</source>
      <translation>Đồng bộ xong: đã gửi %1 mục, %2 trả lời mới.</translation>
    </message>
    <message>
      <source>Could not reach the hub: the cases stay on this station and are sent when the link is back.</source>
      <translation>Không kết nối được với trung tâm: hồ sơ vẫn giữ trên máy này và sẽ được gửi khi có mạng trở lại.</translation>
    </message>
  </context>
  <context>
    <name>OutcomeDialog</name>
    <message>
      <source>Report the treatment outcome</source>
      <translation>Báo kết quả điều trị</translation>
    </message>
    <message>
      <source>What became of the patient after the consultation. It goes to the experts who answered.</source>
      <translation>Tình trạng người bệnh sau hội chẩn. Thông tin được gửi tới chuyên gia đã trả lời.</translation>
    </message>
    <message>
      <source>Outcome</source>
      <translation>Kết quả</translation>
    </message>
    <message>
      <source>Referred to</source>
      <translation>Chuyển tới</translation>
    </message>
    <message>
      <source>Date</source>
      <translation>Ngày</translation>
    </message>
    <message>
      <source>Note</source>
      <translation>Ghi chú</translation>
    </message>
    <message>
      <source>the hospital the patient was sent to</source>
      <translation>bệnh viện người bệnh được chuyển tới</translation>
    </message>
    <message>
      <source>Send the outcome</source>
      <translation>Gửi kết quả</translation>
    </message>
    <message>
      <source>Say where the patient was referred to.</source>
      <translation>Hãy ghi nơi người bệnh được chuyển tới.</translation>
    </message>
    <message>
      <source>The date cannot be in the future.</source>
      <translation>Ngày không được ở tương lai.</translation>
    </message>
    <message>
      <source>The date cannot be before the consultation was requested.</source>
      <translation>Ngày không được trước ngày gửi yêu cầu hội chẩn.</translation>
    </message>
    <message>
      <source>Choose an outcome.</source>
      <translation>Hãy chọn kết quả.</translation>
    </message>
  </context>
  <context>
    <name>StationApp</name>
    <message>
      <source>%1 recording(s) left unfinished by a crash were attached to their cases.</source>
      <translation>Đã đính kèm %1 bản ghi dở dang (do sự cố) vào hồ sơ tương ứng.</translation>
    </message>
  </context>
  <context>
    <name>Storage</name>
    <message>
      <source>The disk is full. Free some space (for example delete old files) on the drive that holds %1.</source>
      <translation>Ổ đĩa đã đầy. Hãy giải phóng dung lượng (ví dụ xóa tệp cũ) trên ổ chứa %1.</translation>
    </message>
    <message>
      <source>The database is busy: another program is using %1. Close other copies of Điểm Cầu.</source>
      <translation>Cơ sở dữ liệu đang bận: một chương trình khác đang dùng %1. Hãy đóng các cửa sổ Điểm Cầu khác.</translation>
    </message>
    <message>
      <source>The database %1 was written by a newer version of Điểm Cầu. Install the newer version; the file has not been changed.</source>
      <translation>Cơ sở dữ liệu %1 được tạo bởi phiên bản Điểm Cầu mới hơn. Hãy cài phiên bản mới; tệp chưa bị thay đổi.</translation>
    </message>
    <message>
      <source>The database %1 is damaged and cannot be opened. It has been kept as it is; ask IT staff to restore it from a backup.</source>
      <translation>Cơ sở dữ liệu %1 bị hỏng, không mở được. Tệp được giữ nguyên; hãy nhờ cán bộ CNTT khôi phục từ bản sao lưu.</translation>
    </message>
    <message>
      <source>The station could not save to %1.</source>
      <translation>Không lưu được vào %1.</translation>
    </message>
  </context>
  <context>
    <name>SyncBar</name>
    <message>
      <source>Sending %p%</source>
      <translation>Đang gửi %p%</translation>
    </message>
    <message>
      <source>Connecting to the hub…</source>
      <translation>Đang kết nối với trung tâm…</translation>
    </message>
    <message>
      <source>Offline: cases are kept on this station</source>
      <translation>Ngoại tuyến: hồ sơ được lưu tại điểm cầu này</translation>
    </message>
    <message>
      <source>Not enrolled with a hub: cases are kept on this station</source>
      <translation>Chưa đăng ký với trung tâm: hồ sơ được lưu tại điểm cầu này</translation>
    </message>
    <message>
      <source>Offline</source>
      <translation>Ngoại tuyến</translation>
    </message>
    <message>
      <source>Unsent: %1</source>
      <translation>Chưa gửi: %1</translation>
    </message>
    <message>
      <source>Everything sent</source>
      <translation>Đã gửi hết</translation>
    </message>
    <message>
      <source>last sync %1</source>
      <translation>đồng bộ lúc %1</translation>
    </message>
    <message>
      <source>never synced yet</source>
      <translation>chưa đồng bộ lần nào</translation>
    </message>
    <message>
      <source>Not connected to the central hospital — cases are kept on this machine</source>
      <translation>Chưa kết nối trung tâm — hồ sơ đang giữ trên máy này</translation>
    </message>
  </context>
  <context>
    <name>SyncController</name>
    <message>
      <source>the local hub is not running</source>
      <translation>trung tâm cục bộ không chạy</translation>
    </message>
  </context>
  <context>
    <name>Texts</name>
    <message>
      <source>Draft</source>
      <translation>Nháp</translation>
    </message>
    <message>
      <source>Ready to send</source>
      <translation>Sẵn sàng gửi</translation>
    </message>
    <message>
      <source>Submitted</source>
      <translation>Đã gửi</translation>
    </message>
    <message>
      <source>At the hub</source>
      <translation>Đã đến trung tâm</translation>
    </message>
    <message>
      <source>Answered</source>
      <translation>Đã có kết luận</translation>
    </message>
    <message>
      <source>Closed</source>
      <translation>Đã đóng</translation>
    </message>
    <message>
      <source>Routine</source>
      <translation>Thường quy</translation>
    </message>
    <message>
      <source>Urgent</source>
      <translation>Khẩn</translation>
    </message>
    <message>
      <source>Emergency</source>
      <translation>Cấp cứu</translation>
    </message>
    <message>
      <source>Male</source>
      <translation>Nam</translation>
    </message>
    <message>
      <source>Female</source>
      <translation>Nữ</translation>
    </message>
    <message>
      <source>Other</source>
      <translation>Khác</translation>
    </message>
    <message>
      <source>language-code</source>
      <translation>vi</translation>
    </message>
    <message>
      <source>requested</source>
      <translation>đã yêu cầu</translation>
    </message>
    <message>
      <source>received</source>
      <translation>đã nhận</translation>
    </message>
    <message>
      <source>accepted</source>
      <translation>đã chấp nhận</translation>
    </message>
    <message>
      <source>in progress</source>
      <translation>đang xử lý</translation>
    </message>
    <message>
      <source>on hold</source>
      <translation>tạm dừng</translation>
    </message>
    <message>
      <source>rejected</source>
      <translation>từ chối</translation>
    </message>
    <message>
      <source>cancelled</source>
      <translation>đã hủy</translation>
    </message>
    <message>
      <source>completed</source>
      <translation>hoàn tất</translation>
    </message>
    <message>
      <source>failed</source>
      <translation>thất bại</translation>
    </message>
    <message>
      <source>The experts changed this consultation at the hub (from “%1” to “%2”) after you last saw it. Your change was not sent, so nothing of theirs was overwritten.</source>
      <translation>Chuyên gia đã thay đổi hồ sơ này tại trung tâm (từ “%1” sang “%2”) sau lần cuối bạn xem. Thay đổi của bạn chưa được gửi, nên không có gì của chuyên gia bị ghi đè.</translation>
    </message>
    <message>
      <source>Sent (kept on this machine)</source>
      <translation>Đã gửi (giữ trên máy này)</translation>
    </message>
    <message>
      <source>Improved</source>
      <translation>Cải thiện</translation>
    </message>
    <message>
      <source>Stable</source>
      <translation>Ổn định</translation>
    </message>
    <message>
      <source>Worse</source>
      <translation>Nặng hơn</translation>
    </message>
    <message>
      <source>Referred up</source>
      <translation>Chuyển tuyến trên</translation>
    </message>
    <message>
      <source>Died</source>
      <translation>Tử vong</translation>
    </message>
    <message>
      <source>Lost to follow-up</source>
      <translation>Mất theo dõi</translation>
    </message>
  </context>
  <context>
    <name>Validation</name>
    <message>
      <source>This field is required.</source>
      <translation>Mục này bắt buộc.</translation>
    </message>
    <message>
      <source>CCCD must be exactly 12 digits.</source>
      <translation>Số CCCD phải gồm đúng 12 chữ số.</translation>
    </message>
    <message>
      <source>CCCD begins with {prefix}, which is not a province code.</source>
      <translation>Số CCCD bắt đầu bằng {prefix}, không phải mã tỉnh.</translation>
    </message>
    <message>
      <source>The 4th digit of the CCCD ({digit}) says {cccd_sex}, but the patient's sex is {sex}.</source>
      <translation>Chữ số thứ 4 của CCCD ({digit}) cho biết giới tính {cccd_sex}, nhưng bệnh nhân có giới tính {sex}.</translation>
    </message>
    <message>
      <source>The CCCD gives birth year {cccd_year}, but the date of birth says {year}.</source>
      <translation>Số CCCD cho năm sinh {cccd_year}, nhưng ngày sinh ghi năm {year}.</translation>
    </message>
    <message>
      <source>A BHYT card number has 15 characters: 2 letters, benefit level 1-5, 2-digit province, 10 digits.</source>
      <translation>Số thẻ BHYT gồm 15 ký tự: 2 chữ cái, mức hưởng 1-5, 2 số mã tỉnh, 10 chữ số.</translation>
    </message>
    <message>
      <source>BHYT benefit level must be 1 to 5 (found {level}).</source>
      <translation>Mức hưởng BHYT phải từ 1 đến 5 (đang là {level}).</translation>
    </message>
    <message>
      <source>BHYT group code {group} is not a known beneficiary group.</source>
      <translation>Mã đối tượng BHYT {group} không có trong danh mục.</translation>
    </message>
    <message>
      <source>Phone number must have 10 digits starting with 0 (or +84).</source>
      <translation>Số điện thoại gồm 10 chữ số, bắt đầu bằng 0 (hoặc +84).</translation>
    </message>
    <message>
      <source>Date of birth must be dd/mm/yyyy, mm/yyyy or yyyy.</source>
      <translation>Ngày sinh phải theo dạng dd/mm/yyyy, mm/yyyy hoặc yyyy.</translation>
    </message>
    <message>
      <source>Date of birth is in the future.</source>
      <translation>Ngày sinh ở tương lai.</translation>
    </message>
    <message>
      <source>Date of birth is more than 130 years ago.</source>
      <translation>Ngày sinh cách đây hơn 130 năm.</translation>
    </message>
    <message>
      <source>Age must be a whole number of years.</source>
      <translation>Tuổi phải là số năm nguyên.</translation>
    </message>
    <message>
      <source>Age must be between 0 and 130.</source>
      <translation>Tuổi phải từ 0 đến 130.</translation>
    </message>
    <message>
      <source>Age {age} does not match the date of birth ({derived} years).</source>
      <translation>Tuổi {age} không khớp với ngày sinh ({derived} tuổi).</translation>
    </message>
    <message>
      <source>Enter a date of birth or, when unknown, an age.</source>
      <translation>Nhập ngày sinh, hoặc tuổi nếu không rõ ngày sinh.</translation>
    </message>
    <message>
      <source>Not a number.</source>
      <translation>Không phải là số.</translation>
    </message>
    <message>
      <source>Must be between {low} and {high} {unit}.</source>
      <translation>Phải trong khoảng {low} đến {high} {unit}.</translation>
    </message>
    <message>
      <source>Blood pressure is systolic/diastolic, e.g. 120/80.</source>
      <translation>Huyết áp ghi dạng tâm thu/tâm trương, ví dụ 120/80.</translation>
    </message>
    <message>
      <source>Systolic pressure must be higher than diastolic.</source>
      <translation>Huyết áp tâm thu phải cao hơn tâm trương.</translation>
    </message>
    <message>
      <source>Systolic pressure (the first number) must be between {low} and {high} {unit}.</source>
      <translation>Huyết áp tâm thu (số đầu) phải trong khoảng {low} đến {high} {unit}.</translation>
    </message>
    <message>
      <source>Diastolic pressure (the second number) must be between {low} and {high} {unit}.</source>
      <translation>Huyết áp tâm trương (số sau) phải trong khoảng {low} đến {high} {unit}.</translation>
    </message>
    <message>
      <source>{code} is not an ICD-10 code.</source>
      <translation>{code} không phải mã ICD-10.</translation>
    </message>
    <message>
      <source>{code} is a chapter or block; choose a code.</source>
      <translation>{code} là chương hoặc nhóm bệnh; hãy chọn một mã bệnh.</translation>
    </message>
    <message>
      <source>This commune is not in the chosen province.</source>
      <translation>Xã/phường này không thuộc tỉnh đã chọn.</translation>
    </message>
    <message>
      <source>Unknown commune code {code}.</source>
      <translation>Mã xã/phường {code} không tồn tại.</translation>
    </message>
    <message>
      <source>Unknown province code {code}.</source>
      <translation>Mã tỉnh {code} không tồn tại.</translation>
    </message>
  </context>
  <context>
    <name>Check</name>
    <message>
      <source>Camera works: {fps:.0f} frames per second.</source>
      <translation>Camera hoạt động tốt: {fps:.0f} khung hình/giây.</translation>
    </message>
    <message>
      <source>The camera gives only {fps:.0f} frames per second: use a lower resolution, better light, or another USB port.</source>
      <translation>Camera chỉ đạt {fps:.0f} khung hình/giây: hãy giảm độ phân giải, tăng ánh sáng hoặc đổi cổng USB.</translation>
    </message>
    <message>
      <source>No picture from the camera: check the cable, the power and the camera chosen in the device settings.</source>
      <translation>Không có hình từ camera: hãy kiểm tra dây cáp, nguồn điện và camera đã chọn trong cài đặt thiết bị.</translation>
    </message>
    <message>
      <source>Microphone works (level {rms_dbfs:.0f} dBFS).</source>
      <translation>Micro hoạt động tốt (mức {rms_dbfs:.0f} dBFS).</translation>
    </message>
    <message>
      <source>The microphone is very quiet ({rms_dbfs:.0f} dBFS): speak while testing, move it closer or raise its volume.</source>
      <translation>Micro thu rất nhỏ ({rms_dbfs:.0f} dBFS): hãy nói khi kiểm tra, đặt micro gần hơn hoặc tăng âm lượng.</translation>
    </message>
    <message>
      <source>The microphone gives no sound at all: it is muted, unplugged or the wrong one is chosen.</source>
      <translation>Micro không thu được âm thanh: micro đang tắt tiếng, chưa cắm, hoặc chọn nhầm micro.</translation>
    </message>
    <message>
      <source>No microphone found: plug one in, or check that the sound system is running.</source>
      <translation>Không tìm thấy micro: hãy cắm micro, hoặc kiểm tra hệ thống âm thanh.</translation>
    </message>
    <message>
      <source>The test tone was played: check that you heard it.</source>
      <translation>Đã phát âm thử: hãy xác nhận bạn nghe thấy.</translation>
    </message>
    <message>
      <source>The speaker cannot play: plug in speakers or choose another output in the device settings.</source>
      <translation>Loa không phát được: hãy cắm loa hoặc chọn đầu ra khác trong cài đặt thiết bị.</translation>
    </message>
    <message>
      <source>Link to the hub is good: {rtt_ms:.0f} ms, {up_mbps:.1f} Mbit/s up, {down_mbps:.1f} Mbit/s down.</source>
      <translation>Đường truyền tới trung tâm tốt: {rtt_ms:.0f} ms, tải lên {up_mbps:.1f} Mbit/s, tải xuống {down_mbps:.1f} Mbit/s.</translation>
    </message>
    <message>
      <source>The link is weak ({rtt_ms:.0f} ms, {up_mbps:.1f} Mbit/s up, {down_mbps:.1f} Mbit/s down): video may freeze; close other downloads, or use audio and photos only.</source>
      <translation>Đường truyền yếu ({rtt_ms:.0f} ms, tải lên {up_mbps:.1f} Mbit/s, tải xuống {down_mbps:.1f} Mbit/s): hình có thể bị đứng; hãy tắt các tải xuống khác, hoặc chỉ dùng âm thanh và ảnh.</translation>
    </message>
    <message>
      <source>The link is too weak for video ({rtt_ms:.0f} ms, {up_mbps:.2f} Mbit/s up, {down_mbps:.1f} Mbit/s down; video needs at least 0.75 Mbit/s up): call the network provider, or send the case and join by phone.</source>
      <translation>Đường truyền quá yếu cho video ({rtt_ms:.0f} ms, tải lên {up_mbps:.2f} Mbit/s, tải xuống {down_mbps:.1f} Mbit/s; video cần tải lên tối thiểu 0,75 Mbit/s): hãy liên hệ nhà mạng, hoặc gửi hồ sơ và tham gia qua điện thoại.</translation>
    </message>
    <message>
      <source>The hub cannot be reached: check the network cable and the hub address.</source>
      <translation>Không kết nối được tới trung tâm: hãy kiểm tra dây mạng và địa chỉ trung tâm.</translation>
    </message>
    <message>
      <source>No hub address is set: the link cannot be checked (device settings).</source>
      <translation>Chưa đặt địa chỉ trung tâm: không kiểm tra được đường truyền (cài đặt thiết bị).</translation>
    </message>
  </context>
  <context>
    <name>Cli</name>
    <message>
      <source>Station is ready for the session.</source>
      <translation>Điểm cầu sẵn sàng cho buổi hội chẩn.</translation>
    </message>
    <message>
      <source>Station is NOT ready: see UNFIT above.</source>
      <translation>Điểm cầu CHƯA sẵn sàng: xem các mục KHÔNG ĐẠT ở trên.</translation>
    </message>
    <message>
      <source>Checked: {parts} — fit (only these were checked).</source>
      <translation>Đã kiểm tra: {parts} — đạt (chỉ kiểm tra những mục này).</translation>
    </message>
    <message>
      <source>Checked: {parts} — NOT fit: see UNFIT above.</source>
      <translation>Đã kiểm tra: {parts} — KHÔNG ĐẠT: xem ở trên.</translation>
    </message>
    <message>
      <source>camera</source>
      <translation>camera</translation>
    </message>
    <message>
      <source>microphone</source>
      <translation>micrô</translation>
    </message>
    <message>
      <source>speaker</source>
      <translation>loa</translation>
    </message>
    <message>
      <source>link</source>
      <translation>đường truyền</translation>
    </message>
    <message>
      <source>OK</source>
      <translation>ĐẠT</translation>
    </message>
    <message>
      <source>POOR</source>
      <translation>KÉM</translation>
    </message>
    <message>
      <source>UNFIT</source>
      <translation>KHÔNG ĐẠT</translation>
    </message>
    <message>
      <source>Cameras (USB): {cameras}</source>
      <translation>Camera (USB): {cameras}</translation>
    </message>
    <message>
      <source>none found</source>
      <translation>không tìm thấy</translation>
    </message>
    <message>
      <source>Configured camera: {camera}</source>
      <translation>Camera đã chọn: {camera}</translation>
    </message>
    <message>
      <source>Audio: {problem}</source>
      <translation>Âm thanh: {problem}</translation>
    </message>
    <message>
      <source>no audio devices (is the sound system running?)</source>
      <translation>không có thiết bị âm thanh (hệ thống âm thanh đã chạy chưa?)</translation>
    </message>
    <message>
      <source>Audio {index:&gt;2}: {name} [{roles}] {rate:.0f} Hz{default}</source>
      <translation>Âm thanh {index:&gt;2}: {name} [{roles}] {rate:.0f} Hz{default}</translation>
    </message>
    <message>
      <source> (default)</source>
      <translation> (mặc định)</translation>
    </message>
    <message>
      <source>Enrollment failed: {error}</source>
      <translation>Đăng ký thất bại: {error}</translation>
    </message>
    <message>
      <source>Enrolled with {hub} as facility {facility} (client {client}).</source>
      <translation>Đã đăng ký với {hub}, cơ sở {facility} (mã máy {client}).</translation>
    </message>
    <message>
      <source>This station is not enrolled with a hub: run `diemcau enroll HUB_URL CODE` first.</source>
      <translation>Điểm cầu này chưa đăng ký với máy chủ: chạy `diemcau enroll HUB_URL CODE` trước.</translation>
    </message>
    <message>
      <source>online</source>
      <translation>có kết nối</translation>
    </message>
    <message>
      <source>offline: {error}</source>
      <translation>mất kết nối: {error}</translation>
    </message>
    <message>
      <source>{state}; sent {sent}, {cases} case(s) now on the hub, {answers} new answer(s), {waiting} waiting</source>
      <translation>{state}; đã gửi {sent}, {cases} hồ sơ đã lên máy chủ, {answers} trả lời mới, {waiting} đang chờ gửi</translation>
    </message>
    <message>
      <source>  case {case}: {why}</source>
      <translation>  hồ sơ {case}: {why}</translation>
    </message>
  </context>
  <context>
    <name>InviteDialog</name>
    <message>
      <source>Invite to the live consultation</source>
      <translation>Mời tham gia hội chẩn trực tuyến</translation>
    </message>
    <message>
      <source>Type the name of a place, a hospital, a doctor or a specialty, for example “Cần Thơ”, “Bạch Mai” or “tim mạch”; tick those to invite.</source>
      <translation>Gõ tên địa danh, bệnh viện, bác sĩ hoặc chuyên khoa, ví dụ “Cần Thơ”, “Bạch Mai” hay “tim mạch”; đánh dấu những nơi, những người cần mời.</translation>
    </message>
    <message>
      <source>Search sites and experts…</source>
      <translation>Tìm điểm cầu và chuyên gia…</translation>
    </message>
    <message>
      <source>Invite</source>
      <translation>Mời</translation>
    </message>
    <message>
      <source>Results appear as you type.</source>
      <translation>Kết quả hiện ra ngay khi bạn gõ.</translation>
    </message>
    <message>
      <source>Searching…</source>
      <translation>Đang tìm…</translation>
    </message>
    <message>
      <source>No site or expert matches “%1”.</source>
      <translation>Không có điểm cầu hay chuyên gia nào khớp với “%1”.</translation>
    </message>
    <message>
      <source>Sites and experts appear here once the hub's administrator has registered them (a station: diemcau-hub add-station).</source>
      <translation>Điểm cầu và chuyên gia chỉ hiện ở đây khi quản trị viên máy chủ trung tâm đã đăng ký họ (máy trạm: lệnh diemcau-hub add-station).</translation>
    </message>
    <message>
      <source>To invite: %1</source>
      <translation>Sẽ mời: %1</translation>
    </message>
    <message>
      <source>Nobody chosen yet.</source>
      <translation>Chưa chọn ai.</translation>
    </message>
    <message>
      <source>station</source>
      <translation>trạm</translation>
    </message>
    <message>
      <source>%1 stations</source>
      <translation>%1 trạm</translation>
    </message>
    <message>
      <source>The hub cannot be reached, so sites and experts cannot be searched now. Check the network and type again; the consultation itself goes on.</source>
      <translation>Không kết nối được máy chủ trung tâm nên chưa tìm được điểm cầu và chuyên gia. Hãy kiểm tra mạng rồi gõ lại; phiên hội chẩn vẫn tiếp tục.</translation>
    </message>
    <message>
      <source>invited</source>
      <translation>đã mời</translation>
    </message>
    <message>
      <source>More match: type more words to narrow the list.</source>
      <translation>Còn nhiều kết quả khác: gõ thêm từ để thu hẹp danh sách.</translation>
    </message>
  </context>
</TS>