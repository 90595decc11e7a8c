//! The words of the public page frame (skip link, header, footer, print) in each language a page
//! can be written in: one table per language, chosen once by the `Layout`. Menu labels and the
//! site's settings are shown as configured.

use crate::db::pages::Language;

pub(crate) struct UiText {
    /// `<html lang>`.
    pub lang: &'static str,
    /// `og:locale`.
    pub locale: &'static str,
    pub skip_link: &'static str,
    pub login: &'static str,
    pub home: &'static str,
    pub search: &'static str,
    pub menu_label: &'static str,
    pub breadcrumb: &'static str,
    pub agency_info: &'static str,
    pub managing_agency: &'static str,
    pub responsible: &'static str,
    pub address: &'static str,
    pub phone: &'static str,
    pub email: &'static str,
    pub badge_alt: &'static str,
    pub footer_links: &'static str,
    /// Before the site name in the footer note; [`UiText::credit_after`] follows it.
    pub credit_before: &'static str,
    pub credit_after: &'static str,
    pub print: &'static str,
    pub source: &'static str,
    pub back_to_page: &'static str,
    pub visitors_online: &'static str,
    pub visitors_today: &'static str,
    pub visitors_total: &'static str,
}

const VI: UiText = UiText {
    lang: "vi",
    locale: "vi_VN",
    skip_link: "Bỏ qua, đến nội dung chính",
    login: "Đăng nhập",
    home: "Trang chủ",
    search: "Tìm kiếm",
    menu_label: "Menu chính",
    breadcrumb: "Đường dẫn",
    agency_info: "Thông tin cơ quan",
    managing_agency: "Cơ quan chủ quản",
    responsible: "Chịu trách nhiệm nội dung",
    address: "Địa chỉ",
    phone: "Điện thoại",
    email: "Email",
    badge_alt: "Chứng nhận Tín nhiệm mạng",
    footer_links: "Liên kết",
    credit_before: "Ghi rõ nguồn \"",
    credit_after: "\" khi phát hành lại thông tin từ website này.",
    print: "In bài",
    source: "Nguồn",
    back_to_page: "Quay lại trang đầy đủ",
    visitors_online: "Đang truy cập",
    visitors_today: "Hôm nay",
    visitors_total: "Tổng lượt truy cập",
};

const EN: UiText = UiText {
    lang: "en",
    locale: "en_US",
    skip_link: "Skip to main content",
    login: "Log in",
    home: "Home",
    search: "Search",
    menu_label: "Main menu",
    breadcrumb: "Breadcrumb",
    agency_info: "About the agency",
    managing_agency: "Managing agency",
    responsible: "Responsible for content",
    address: "Address",
    phone: "Phone",
    email: "Email",
    badge_alt: "Network trust certificate",
    footer_links: "Links",
    credit_before: "Please credit \"",
    credit_after: "\" when republishing information from this website.",
    print: "Print",
    source: "Source",
    back_to_page: "Back to the full page",
    visitors_online: "Online now",
    visitors_today: "Today",
    visitors_total: "Total visits",
};

pub(crate) fn text(language: Language) -> &'static UiText {
    match language {
        Language::Vi => &VI,
        Language::En => &EN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_language_names_itself() {
        for language in Language::ALL {
            assert_eq!(text(language).lang, language.as_str());
        }
        assert_ne!(text(Language::En).skip_link, text(Language::Vi).skip_link);
    }
}
