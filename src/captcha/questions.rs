//! The text alternative to the captcha image: a bank of short questions in Vietnamese with
//! varied wording (sums and differences told as stories, comparisons, counting on and back,
//! letters of a word, days of the week, colours, the odd one out…), numbers mostly written in
//! words. Answers are compared by [`canonical`]: accents, case, spacing and a leading "số",
//! "thứ", "màu", "chữ" or "là" do not matter, and a number may be typed in digits or words.

use rand::{RngExt, rngs::ThreadRng, seq::IndexedRandom};

/// A question and the answers it accepts.
pub(super) struct Question {
    pub text: String,
    pub answers: Vec<String>,
}

type Template = fn(&mut ThreadRng) -> Question;

/// Every kind of question; one is drawn at random.
const TEMPLATES: &[Template] = &[
    |r| {
        let (a, b) = (n(r, 1, 9), n(r, 1, 9));
        number(
            format!("{} cộng {} bằng mấy?", cap(&said(r, a)), said(r, b)),
            a + b,
        )
    },
    |r| {
        let (a, b) = (n(r, 2, 12), n(r, 1, 8));
        number(
            format!(
                "Lấy {} cộng thêm {} thì được bao nhiêu?",
                said(r, a),
                said(r, b)
            ),
            a + b,
        )
    },
    |r| {
        let (a, b) = (n(r, 1, 15), n(r, 1, 9));
        number(
            format!("Tổng của {} và {} là bao nhiêu?", said(r, a), said(r, b)),
            a + b,
        )
    },
    |r| {
        let (a, b) = (n(r, 1, 9), n(r, 1, 9));
        let text = format!(
            "Có {} quả cam, mẹ mua thêm {} quả. Có tất cả mấy quả cam?",
            said(r, a),
            said(r, b)
        );
        number(text, a + b)
    },
    |r| {
        let (a, b) = (n(r, 1, 9), n(r, 1, 9));
        let text = format!(
            "Lan có {} cái bút, Minh cho Lan thêm {} cái. Lan có mấy cái bút?",
            said(r, a),
            said(r, b)
        );
        number(text, a + b)
    },
    |r| {
        let (a, b) = (n(r, 1, 8), n(r, 1, 8));
        let text = format!(
            "Lớp có {} bạn nam và {} bạn nữ đi trực nhật. Có mấy bạn đi trực nhật?",
            said(r, a),
            said(r, b)
        );
        number(text, a + b)
    },
    |r| {
        let (b, c) = (n(r, 1, 9), n(r, 0, 9));
        number(
            format!("{} trừ {} còn mấy?", cap(&said(r, b + c)), said(r, b)),
            c,
        )
    },
    |r| {
        let (b, c) = (n(r, 1, 6), n(r, 1, 9));
        let text = format!(
            "Có {} cái kẹo, ăn mất {} cái. Còn lại mấy cái kẹo?",
            said(r, b + c),
            said(r, b)
        );
        number(text, c)
    },
    |r| {
        let (b, c) = (n(r, 1, 9), n(r, 1, 9));
        let text = format!(
            "Lấy {} bớt đi {} thì còn bao nhiêu?",
            said(r, b + c),
            said(r, b)
        );
        number(text, c)
    },
    |r| {
        let (b, c) = (n(r, 1, 5), n(r, 1, 9));
        let text = format!(
            "Trên cành có {} con chim, {} con bay đi. Trên cành còn mấy con chim?",
            said(r, b + c),
            said(r, b)
        );
        number(text, c)
    },
    |r| {
        let (a, b) = (n(r, 2, 5), n(r, 2, 5));
        number(
            format!("{} nhân {} bằng mấy?", cap(&said(r, a)), said(r, b)),
            a * b,
        )
    },
    |r| {
        let a = n(r, 2, 12);
        number(format!("Gấp đôi số {} là bao nhiêu?", said(r, a)), 2 * a)
    },
    |r| {
        let a = n(r, 1, 10);
        number(format!("Một nửa của {} là bao nhiêu?", said(r, 2 * a)), a)
    },
    |r| {
        let a = n(r, 1, 30);
        number(format!("Số liền sau số {} là số mấy?", said(r, a)), a + 1)
    },
    |r| {
        let a = n(r, 2, 30);
        number(format!("Số liền trước số {} là số mấy?", said(r, a)), a - 1)
    },
    |r| {
        let a = n(r, 1, 20);
        let text = format!(
            "Đếm tiếp: {}, {}, {}… Số tiếp theo là số mấy?",
            said(r, a),
            said(r, a + 1),
            said(r, a + 2)
        );
        number(text, a + 3)
    },
    |r| {
        let a = n(r, 5, 25);
        let text = format!(
            "Đếm lùi: {}, {}, {}… Số tiếp theo là số mấy?",
            said(r, a),
            said(r, a - 1),
            said(r, a - 2)
        );
        number(text, a - 3)
    },
    |r| {
        let [x, y, z] = distinct(r);
        let text = format!(
            "Trong các số {}, {}, {}, số nào lớn nhất?",
            said(r, x),
            said(r, y),
            said(r, z)
        );
        number(text, x.max(y).max(z))
    },
    |r| {
        let [x, y, z] = distinct(r);
        let text = format!(
            "Trong các số {}, {}, {}, số nào nhỏ nhất?",
            said(r, x),
            said(r, y),
            said(r, z)
        );
        number(text, x.min(y).min(z))
    },
    |r| {
        let [x, y, _] = distinct(r);
        number(
            format!("Số nào lớn hơn: {} hay {}?", said(r, x), said(r, y)),
            x.max(y),
        )
    },
    |r| {
        let [x, y, _] = distinct(r);
        number(
            format!("Số nào bé hơn: {} hay {}?", said(r, x), said(r, y)),
            x.min(y),
        )
    },
    |r| {
        let a = n(r, 1, 9);
        let text = format!(
            "Có {} con gà. Chúng có tất cả bao nhiêu cái chân?",
            said(r, a)
        );
        number(text, 2 * a)
    },
    |r| {
        let a = n(r, 1, 5);
        let text = format!(
            "Có {} con chó. Chúng có tất cả bao nhiêu cái chân?",
            said(r, a)
        );
        number(text, 4 * a)
    },
    |r| {
        let a = n(r, 1, 4);
        number(
            format!(
                "Một tuần có bảy ngày. {} tuần có bao nhiêu ngày?",
                cap(&said(r, a))
            ),
            7 * a,
        )
    },
    |r| {
        let a = n(r, 11, 99);
        number(
            format!("Số “{}” viết bằng chữ số là bao nhiêu?", in_words(a)),
            a,
        )
    },
    |r| {
        let word = pick(r, WORDS);
        let first = word.chars().next().expect("a word").to_string();
        Question {
            text: format!("Chữ cái đầu tiên của từ “{word}” là chữ gì?"),
            answers: vec![first],
        }
    },
    |r| {
        let word = pick(r, WORDS);
        let last = word.chars().last().expect("a word").to_string();
        Question {
            text: format!("Chữ cái cuối cùng của từ “{word}” là chữ gì?"),
            answers: vec![last],
        }
    },
    |r| {
        let word = pick(r, WORDS);
        number(
            format!("Từ “{word}” có mấy chữ cái?"),
            word.chars().count() as u32,
        )
    },
    |r| {
        let day = n(r, 0, 6) as usize;
        let text = format!("Hôm nay là {}. Ngày mai là thứ mấy?", DAYS[day]);
        Question {
            text,
            answers: vec![DAYS[(day + 1) % 7].to_owned()],
        }
    },
    |r| {
        let day = n(r, 0, 6) as usize;
        let text = format!("Hôm qua là {}. Hôm nay là thứ mấy?", DAYS[day]);
        Question {
            text,
            answers: vec![DAYS[(day + 1) % 7].to_owned()],
        }
    },
    |r| {
        let day = n(r, 0, 6) as usize;
        let text = format!("Hôm nay là {}. Hôm qua là thứ mấy?", DAYS[day]);
        Question {
            text,
            answers: vec![DAYS[(day + 6) % 7].to_owned()],
        }
    },
    |r| {
        let day = n(r, 0, 6) as usize;
        let text = format!(
            "Hôm nay là {}. Ngày kia (sau hai ngày) là thứ mấy?",
            DAYS[day]
        );
        Question {
            text,
            answers: vec![DAYS[(day + 2) % 7].to_owned()],
        }
    },
    |r| {
        let (question, answers) = *pick(r, COLOURS);
        Question {
            text: question.to_owned(),
            answers: answers.iter().map(|a| (*a).to_owned()).collect(),
        }
    },
    |r| odd_one_out(r, "không phải là con vật", NOT_ANIMALS, ANIMALS),
    |r| odd_one_out(r, "là một loại quả", FRUITS, NOT_FRUITS),
    |r| {
        let words: Vec<&str> = WORDS.sample(r, 3).copied().collect();
        let (place, index) = *pick(r, &[("đầu tiên", 0), ("thứ hai", 1), ("cuối cùng", 2)]);
        Question {
            text: format!(
                "Trong dãy từ “{}”, từ đứng {place} là từ nào?",
                words.join(", ")
            ),
            answers: vec![words[index].to_owned()],
        }
    },
];

/// Short words whose letters are plain to name.
const WORDS: &[&str] = &[
    "bàn", "ghế", "sách", "lúa", "mèo", "táo", "hoa", "cây", "sông", "núi", "vở", "bút", "đèn",
    "xe", "cửa", "rau", "mưa", "gió", "bánh", "muối",
];
const DAYS: [&str; 7] = [
    "thứ hai",
    "thứ ba",
    "thứ tư",
    "thứ năm",
    "thứ sáu",
    "thứ bảy",
    "chủ nhật",
];
const COLOURS: &[(&str, &[&str])] = &[
    (
        "Lá cây tươi thường có màu gì?",
        &["xanh", "xanh lá", "xanh lá cây"],
    ),
    ("Tuyết có màu gì?", &["trắng"]),
    ("Sữa tươi có màu gì?", &["trắng"]),
    ("Than củi có màu gì?", &["đen"]),
    ("Quả chuối chín có màu gì?", &["vàng"]),
    ("Lá cờ Tổ quốc Việt Nam có nền màu gì?", &["đỏ"]),
    (
        "Bầu trời trong ngày nắng đẹp có màu gì?",
        &["xanh", "xanh da trời", "xanh dương"],
    ),
    ("Ngôi sao trên lá cờ Tổ quốc có màu gì?", &["vàng"]),
];
const ANIMALS: &[&str] = &["mèo", "chó", "gà", "vịt", "trâu", "bò", "lợn", "cá", "ngựa"];
const NOT_ANIMALS: &[&str] = &["bàn", "ghế", "sách", "bút", "nhà", "xe", "đèn"];
const FRUITS: &[&str] = &["cam", "chuối", "táo", "xoài", "ổi", "dưa hấu", "nhãn"];
const NOT_FRUITS: &[&str] = &["bàn", "xe", "sách", "mèo", "ghế", "nồi"];

/// A new question, drawn from the bank.
pub(super) fn ask() -> Question {
    let mut rng = rand::rng();
    let template = pick(&mut rng, TEMPLATES);
    template(&mut rng)
}

/// "Trong các từ a, b, c, từ nào {asked}?": one word of `odd` among two of `others`.
fn odd_one_out(r: &mut ThreadRng, asked: &str, odd: &[&str], others: &[&str]) -> Question {
    let answer = *pick(r, odd);
    let mut words: Vec<&str> = others.sample(r, 2).copied().collect();
    words.insert(n(r, 0, 2) as usize, answer);
    Question {
        text: format!("Trong các từ {}, từ nào {asked}?", words.join(", ")),
        answers: vec![answer.to_owned()],
    }
}

fn number(text: String, answer: u32) -> Question {
    Question {
        text,
        answers: vec![answer.to_string()],
    }
}

fn n(r: &mut ThreadRng, low: u32, high: u32) -> u32 {
    r.random_range(low..=high)
}

fn pick<'a, T>(r: &mut ThreadRng, items: &'a [T]) -> &'a T {
    items.choose(r).expect("a non-empty list")
}

/// Three different numbers from 1 to 30.
fn distinct(r: &mut ThreadRng) -> [u32; 3] {
    let numbers: Vec<u32> = (1..=30).collect::<Vec<_>>().sample(r, 3).copied().collect();
    [numbers[0], numbers[1], numbers[2]]
}

/// A number as the question says it: in words four times out of five, else in digits.
fn said(r: &mut ThreadRng, n: u32) -> String {
    if r.random_bool(0.8) {
        in_words(n)
    } else {
        n.to_string()
    }
}

fn cap(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

const UNITS: [&str; 10] = [
    "không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín",
];

/// 0 to 99 in Vietnamese words: "mười lăm", "hai mươi mốt", "ba mươi tư".
pub(super) fn in_words(n: u32) -> String {
    let (tens, units) = (n / 10, (n % 10) as usize);
    match (tens, units) {
        (0, _) => UNITS[units].to_owned(),
        (1, 0) => "mười".to_owned(),
        (1, 5) => "mười lăm".to_owned(),
        (1, _) => format!("mười {}", UNITS[units]),
        (_, 0) => format!("{} mươi", UNITS[tens as usize]),
        (_, 1) => format!("{} mươi mốt", UNITS[tens as usize]),
        (_, 4) => format!("{} mươi tư", UNITS[tens as usize]),
        (_, 5) => format!("{} mươi lăm", UNITS[tens as usize]),
        _ => format!("{} mươi {}", UNITS[tens as usize], UNITS[units]),
    }
}

/// Words readers may put before an answer: "số 7", "thứ ba", "màu đỏ", "chữ b", "là 5".
const FILLERS: &[&str] = &["la", "so", "thu", "mau", "chu"];

/// An answer as it is compared: accents, case, spacing and punctuation dropped, a leading
/// filler word dropped, numbers (in words or digits) as digits. Image answers (five letters
/// and digits) come out as typed, lowercase.
pub(super) fn canonical(typed: &str) -> String {
    let folded = crate::text::slugify(typed);
    let mut words: Vec<&str> = folded.split('-').filter(|w| !w.is_empty()).collect();
    while words.len() > 1 && FILLERS.contains(&words[0]) {
        words.remove(0);
    }
    if let Some(n) = number_in_words(&words) {
        return n.to_string();
    }
    words
        .iter()
        .map(|word| match number_in_words(&[word]) {
            Some(n) => n.to_string(),
            None => (*word).to_owned(),
        })
        .collect()
}

/// A number written in (accent-folded) words or digits, 0 to 99.
fn number_in_words(words: &[&str]) -> Option<u32> {
    let unit = |word: &str| match word {
        "khong" => Some(0),
        "mot" => Some(1),
        "hai" => Some(2),
        "ba" => Some(3),
        "bon" | "tu" => Some(4),
        "nam" | "lam" => Some(5),
        "sau" => Some(6),
        "bay" => Some(7),
        "tam" => Some(8),
        "chin" => Some(9),
        _ => None,
    };
    match words {
        [digits]
            if !digits.is_empty()
                && digits.len() <= 3
                && digits.bytes().all(|b| b.is_ascii_digit()) =>
        {
            digits.parse().ok()
        }
        ["muoi"] => Some(10),
        [single] => unit(single),
        ["muoi", u] => unit(u).filter(|u| *u > 0).map(|u| 10 + u),
        [t, "muoi"] => unit(t).filter(|t| *t > 1).map(|t| 10 * t),
        [t, "muoi", u] => Some(10 * unit(t).filter(|t| *t > 1)? + unit(u).filter(|u| *u > 0)?),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_as_vietnamese_says_them_and_read_back() {
        for (n, words) in [
            (0, "không"),
            (7, "bảy"),
            (10, "mười"),
            (15, "mười lăm"),
            (21, "hai mươi mốt"),
            (34, "ba mươi tư"),
            (50, "năm mươi"),
            (99, "chín mươi chín"),
        ] {
            assert_eq!(in_words(n), words);
            assert_eq!(canonical(words), n.to_string(), "{words}");
        }
        for n in 0..100 {
            assert_eq!(canonical(&in_words(n)), n.to_string());
        }
    }

    #[test]
    fn answers_are_compared_without_accents_case_spacing_or_fillers() {
        assert_eq!(canonical(" AbC d3 "), "abcd3");
        assert_eq!(canonical("Bảy"), "7");
        assert_eq!(canonical("bay"), "7");
        assert_eq!(canonical("07"), "7");
        assert_eq!(canonical("Số 12"), "12");
        assert_eq!(canonical("Thứ Tư"), canonical("thứ 4"));
        assert_eq!(canonical("màu ĐỎ"), canonical("đỏ"));
        assert_eq!(canonical("chữ B"), "b");
        assert_eq!(canonical("chủ nhật"), canonical("Chủ Nhật"));
        assert_ne!(canonical("thứ ba"), canonical("thứ tư"));
    }

    #[test]
    fn the_bank_has_many_kinds_of_question_each_answerable() {
        assert!(TEMPLATES.len() >= 30, "{}", TEMPLATES.len());
        let mut rng = rand::rng();
        for template in TEMPLATES {
            for _ in 0..20 {
                let question = template(&mut rng);
                assert!(question.text.ends_with('?'), "{}", question.text);
                assert!(!question.answers.is_empty());
                for answer in &question.answers {
                    assert!(!canonical(answer).is_empty(), "{}", question.text);
                }
            }
        }
    }
}
