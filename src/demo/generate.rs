//! Bulk articles for benchmarks: `toasoan generate --articles N` adds N published articles of
//! plausible Vietnamese local news to the demo categories, in batches.

use rand::{RngExt, SeedableRng, rngs::StdRng, seq::IndexedRandom};
use sqlx::PgPool;
use time::{Duration, OffsetDateTime};

use crate::{
    db::{self, articles::ArticleBatch},
    text::{clean, slugify},
};

const BATCH: usize = 1000;

const PLACES: &[&str] = &[
    "Xã Xuân Quang",
    "Xã Sơn Hải",
    "Xã Phong Niên",
    "Xã Bản Cầm",
    "Xã Thái Niên",
    "Xã Gia Phú",
    "Xã Trì Quang",
    "Xã Phú Nhuận",
    "Xã Xuân Giao",
    "Thị trấn Phố Lu",
    "Thị trấn Tằng Loỏng",
    "Xã Bản Phiệt",
    "Xã Sơn Hà",
    "Huyện Bảo Thắng",
    "Hội Nông dân huyện",
    "Huyện đoàn Bảo Thắng",
    "Công an huyện",
    "Ban Chỉ huy Quân sự huyện",
    "Trung tâm Y tế huyện",
    "Phòng Giáo dục và Đào tạo",
];

const EVENTS: &[&str] = &[
    "tổ chức hội nghị tổng kết công tác năm",
    "ra quân làm đường giao thông nông thôn",
    "khai mạc giải bóng đá thanh niên",
    "trao tặng nhà đại đoàn kết cho hộ nghèo",
    "triển khai tiêm chủng mở rộng cho trẻ em",
    "nghiệm thu công trình thủy lợi nội đồng",
    "tập huấn kỹ thuật trồng quế hữu cơ",
    "ra mắt mô hình dân vận khéo",
    "đón nhận bằng công nhận đạt chuẩn nông thôn mới nâng cao",
    "phát động phong trào thi đua yêu nước",
    "tổng kết mùa vụ lúa xuân",
    "diễn tập phòng chống thiên tai và tìm kiếm cứu nạn",
    "hỗ trợ học sinh có hoàn cảnh khó khăn đến trường",
    "phát triển sản phẩm OCOP từ chè và quế",
    "kiểm tra an toàn thực phẩm dịp cuối năm",
    "tuyên truyền phòng, chống ma túy trong thanh thiếu niên",
    "ký kết quy chế phối hợp bảo vệ an ninh trật tự",
    "khánh thành cầu dân sinh",
    "hoàn thành giải phóng mặt bằng dự án đường nối",
    "tổ chức ngày hội đại đoàn kết toàn dân tộc",
    "đẩy mạnh chuyển đổi số trong cải cách hành chính",
    "giao nhận quân năm mới an toàn, đúng luật",
    "tăng cường quản lý bảo vệ rừng mùa khô",
    "nâng cao chất lượng hoạt động của chi bộ thôn",
];

const SENTENCES: &[&str] = &[
    "Tham dự có đại diện lãnh đạo Huyện ủy, HĐND, UBND huyện cùng các phòng, ban chuyên môn.",
    "Theo báo cáo, thời gian qua địa phương đã tập trung lãnh đạo, chỉ đạo quyết liệt và đạt nhiều kết quả tích cực.",
    "Công tác tuyên truyền được đổi mới, giúp người dân hiểu rõ chủ trương của Đảng, chính sách, pháp luật của Nhà nước.",
    "Phong trào toàn dân đoàn kết xây dựng đời sống văn hóa ở khu dân cư tiếp tục được duy trì.",
    "Nhiều hộ gia đình đã mạnh dạn chuyển đổi cơ cấu cây trồng, vật nuôi, nâng cao thu nhập.",
    "Các thôn, tổ dân phố đã chủ động huy động nguồn lực trong Nhân dân để chỉnh trang đường làng, ngõ xóm.",
    "Diện tích chè, quế, cây ăn quả được duy trì ổn định, một số sản phẩm đã đạt chứng nhận OCOP.",
    "Lực lượng công an, quân sự phối hợp chặt chẽ, giữ vững an ninh chính trị, trật tự an toàn xã hội.",
    "Công tác chăm lo cho gia đình chính sách, hộ nghèo và người có hoàn cảnh khó khăn được quan tâm đúng mức.",
    "Ngành giáo dục tiếp tục đầu tư cơ sở vật chất, nâng cao chất lượng dạy và học ở các cấp.",
    "Trạm y tế các xã đã chủ động phòng, chống dịch bệnh, bảo đảm sức khỏe cho Nhân dân.",
    "Bên cạnh kết quả đạt được, hội nghị cũng chỉ ra một số tồn tại, hạn chế cần sớm khắc phục.",
    "Phát biểu chỉ đạo, đồng chí lãnh đạo huyện đề nghị các đơn vị phát huy tinh thần đoàn kết, khắc phục khó khăn.",
    "Thời gian tới, địa phương tập trung thực hiện có hiệu quả các nhiệm vụ, giải pháp đã đề ra.",
    "Dịp này, nhiều tập thể và cá nhân có thành tích xuất sắc đã được khen thưởng.",
    "Người dân phấn khởi, tin tưởng vào sự lãnh đạo của cấp ủy, chính quyền địa phương.",
    "Dự án hoàn thành sẽ góp phần thúc đẩy phát triển kinh tế - xã hội, bảo đảm quốc phòng - an ninh trên địa bàn.",
    "Hoạt động văn hóa, văn nghệ, thể dục thể thao diễn ra sôi nổi, thu hút đông đảo quần chúng tham gia.",
    "Ủy ban MTTQ và các đoàn thể đã phát huy vai trò giám sát, phản biện xã hội.",
    "Việc ứng dụng công nghệ thông tin giúp rút ngắn thời gian giải quyết thủ tục hành chính cho người dân, doanh nghiệp.",
    "Mùa mưa lũ năm nay, huyện đã chủ động phương án bảo đảm an toàn cho các hộ dân vùng trũng thấp.",
    "Đoàn viên, thanh niên tích cực tham gia các hoạt động tình nguyện vì cộng đồng.",
];

const BYLINES: &[&str] = &[
    "Lê Thu Thuỷ",
    "Hoàng Minh",
    "Nguyễn Thị Hà",
    "Trần Văn Hùng",
    "Phạm Thanh Hoa",
    "Đỗ Quang Vinh",
    "Vũ Ngọc Ánh",
    "Lò Văn Sơn",
    "Hà Thị Lan",
    "Bùi Đức Thắng",
];

/// The subtree weights: most local news goes to "Tin tức" and its sub-categories.
const CATEGORY_WEIGHTS: &[(&str, u32)] = &[
    ("tin-tuc", 10),
    ("chinh-tri", 15),
    ("kinh-te", 15),
    ("van-hoa-xa-hoi", 15),
    ("quoc-phong-an-ninh", 10),
    ("chinh-quyen", 15),
    ("du-lich", 10),
    ("thong-bao", 10),
];

/// Adds `count` published articles spread over the past (about fifteen a day), deterministic
/// for a given `seed`. Returns how many were inserted.
pub async fn generate(db: &PgPool, count: usize, seed: u64) -> anyhow::Result<usize> {
    let mut tx = db.begin().await?;
    let categories = super::ensure_categories(&mut tx).await?;
    tx.commit().await?;

    let mut rng = StdRng::seed_from_u64(seed);
    let first_number = db::articles::count_all(db).await? + 1;
    let span_minutes = i64::try_from(count.max(450) * 96)?; // ~15 a day
    let now = OffsetDateTime::now_utc();
    let total_weight: u32 = CATEGORY_WEIGHTS.iter().map(|(_, w)| w).sum();

    let mut inserted = 0;
    while inserted < count {
        let mut batch = ArticleBatch::default();
        for i in inserted..(inserted + BATCH).min(count) {
            let place = PLACES.choose(&mut rng).expect("places");
            let event = EVENTS.choose(&mut rng).expect("events");
            let title = clean(&format!("{place} {event}"));
            let number = first_number + i64::try_from(i)?;
            let mut pick = rng.random_range(0..total_weight);
            let slug_of_category = CATEGORY_WEIGHTS
                .iter()
                .find(|(_, w)| {
                    let hit = pick < *w;
                    pick = pick.saturating_sub(*w);
                    hit
                })
                .map_or("tin-tuc", |(slug, _)| slug);
            let paragraphs: Vec<String> = (0..rng.random_range(3..7))
                .map(|_| {
                    let sentences: Vec<&str> = SENTENCES.sample(&mut rng, 3).copied().collect();
                    format!("<p>{}</p>", sentences.join(" "))
                })
                .collect();
            batch.slug.push(format!("{}-{number}", slugify(&title)));
            batch.sapo.push(clean(&format!(
                "{place} vừa {event}. {}",
                SENTENCES.choose(&mut rng).expect("sentences")
            )));
            batch.title.push(title);
            batch.body_html.push(clean(&paragraphs.join("\n")));
            batch
                .byline
                .push((*BYLINES.choose(&mut rng).expect("bylines")).to_owned());
            batch.category_id.push(categories[slug_of_category]);
            batch
                .published_at
                .push(now - Duration::minutes(rng.random_range(0..span_minutes)));
            batch.view_count.push(rng.random_range(0..5000));
        }
        inserted += db::articles::insert_published_batch(db, &batch).await?;
    }
    Ok(inserted)
}
