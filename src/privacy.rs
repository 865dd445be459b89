//! Finds personal data in free text so that it can be masked before anything
//! is stored. Consultations are about anonymous clients: a personal identity
//! code (HETU) must never reach storage, and phone numbers and e-mail
//! addresses are masked as well.
//!
//! The detectors lean towards precision on the forms listed in the tests
//! (dates, times, sums, ranges, business ids and ticket ids are left alone),
//! except that overlapping findings are merged so that masking never leaves
//! part of a finding visible. Nothing here logs the text it reads.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

/// What every finding is replaced with. Fixed and language-neutral: the
/// masked text is stored, not shown as a message of its own.
pub const MASK: &str = "[***]";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FindingKind {
    Hetu,
    Phone,
    Email,
}

impl FindingKind {
    /// When findings overlap, the merged one keeps the most sensitive kind,
    /// so that a HETU is never reported as something milder.
    fn rank(self) -> u8 {
        match self {
            FindingKind::Phone => 0,
            FindingKind::Email => 1,
            FindingKind::Hetu => 2,
        }
    }
}

/// A span of personal data; `start..end` are byte offsets into the scanned
/// text and always fall on char boundaries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub kind: FindingKind,
    pub start: usize,
    pub end: usize,
}

/// All findings in `text`, sorted by start and non-overlapping (findings that
/// overlap are merged into one spanning both). The detectors read a folded copy of
/// the text (see [`Folded`]), so full-width or other Unicode digits, typographic
/// dashes and odd spaces hide nothing; offsets refer to `text` itself.
pub fn scan(text: &str) -> Vec<Finding> {
    let folded = Folded::new(text);
    let plain = folded.text();
    let candidates: Vec<HetuSpan> = hetu_spans(plain).collect();
    let sure: Vec<(usize, usize)> = candidates.iter().filter(|c| !c.phone_too).map(|c| (c.start, c.end)).collect();
    let phones = phone_spans(plain, &sure);
    // An all-digit code that also reads as a phone number is a phone number, when the
    // phone detector takes it; otherwise it is a code.
    let hetus: Vec<(usize, usize)> = candidates
        .iter()
        .filter(|c| !c.phone_too || !phones.iter().any(|&(start, end)| start <= c.start && c.end <= end))
        .map(|c| (c.start, c.end))
        .collect();
    let emails = email_spans(plain);

    let tag = |kind| {
        let folded = &folded;
        move |(start, end)| {
            let (start, end) = folded.original(start, end);
            Finding { kind, start, end }
        }
    };
    let mut all: Vec<Finding> = hetus
        .into_iter()
        .map(tag(FindingKind::Hetu))
        .chain(phones.into_iter().map(tag(FindingKind::Phone)))
        .chain(emails.map(tag(FindingKind::Email)))
        .collect();
    all.sort_by_key(|f| (f.start, f.end));

    let mut merged: Vec<Finding> = Vec::with_capacity(all.len());
    for f in all {
        match merged.last_mut() {
            Some(last) if f.start < last.end => {
                last.end = last.end.max(f.end);
                if f.kind.rank() > last.kind.rank() {
                    last.kind = f.kind;
                }
            }
            _ => merged.push(f),
        }
    }
    merged
}

/// Whether `text` holds a checksum-valid personal identity code, in any spelling.
pub fn contains_hetu(text: &str) -> bool {
    scan(text).iter().any(|f| f.kind == FindingKind::Hetu)
}

/// A copy of a text in the characters the detectors know, with the way back to the
/// original offsets. Each character becomes at most one: compatibility forms are
/// folded (NFKC: full-width digits and letters become ASCII), decimal digits of
/// any script become ASCII digits, dashes become '-', spaces become ' ', and
/// invisible format characters (zero-width space, soft hyphen …) are dropped.
struct Folded<'a> {
    original: &'a str,
    /// None when nothing needed folding: the text is used as it is.
    folded: Option<FoldedText>,
}

struct FoldedText {
    text: String,
    /// For each byte offset of `text` that starts a character, and for its end: the
    /// original offset where that character starts.
    starts: Vec<usize>,
    /// For each byte offset of `text` that ends a character: the original offset
    /// where that character ends.
    ends: Vec<usize>,
}

impl<'a> Folded<'a> {
    fn new(original: &'a str) -> Folded<'a> {
        if original.is_ascii() {
            return Folded { original, folded: None };
        }
        let mut text = String::with_capacity(original.len());
        // Every character folds to one no longer than itself, or to nothing.
        let mut starts = vec![0; original.len() + 1];
        let mut ends = vec![0; original.len() + 1];
        for (i, c) in original.char_indices() {
            let Some(folded) = fold_char(c) else { continue };
            starts[text.len()] = i;
            text.push(folded);
            ends[text.len()] = i + c.len_utf8();
        }
        starts[text.len()] = original.len();
        starts.truncate(text.len() + 1);
        ends.truncate(text.len() + 1);
        Folded { original, folded: Some(FoldedText { text, starts, ends }) }
    }

    fn text(&self) -> &str {
        self.folded.as_ref().map_or(self.original, |f| f.text.as_str())
    }

    /// The original span of the folded span `start..end` (which is never empty).
    fn original(&self, start: usize, end: usize) -> (usize, usize) {
        match &self.folded {
            None => (start, end),
            Some(f) => (f.starts[start], f.ends[end]),
        }
    }
}

/// What one character reads as to the detectors; None for invisible format characters.
fn fold_char(c: char) -> Option<char> {
    use unicode_normalization::UnicodeNormalization;
    if c.is_ascii() {
        return Some(c);
    }
    match c {
        '\u{00ad}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}' => return None,
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{fe58}' | '\u{fe63}' | '\u{ff0d}' => return Some('-'),
        _ if c.is_whitespace() => return Some(' '),
        _ => {}
    }
    let mut compatible = std::iter::once(c).nfkc();
    if let (Some(single), None) = (compatible.next(), compatible.next()) {
        if single.is_ascii() {
            return Some(single);
        }
    }
    Some(unicode_digit(c).map_or(c, |d| char::from(b'0' + d)))
}

/// The value of a decimal digit of any script. Unicode encodes each script's digits
/// as a run of ten in order, and the runs start at code points whose offset from the
/// previous non-digit is a multiple of ten.
fn unicode_digit(c: char) -> Option<u8> {
    static DECIMAL_DIGIT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\p{Nd}$").expect("valid pattern"));
    let is_digit = |c: char| {
        let mut buf = [0u8; 4];
        DECIMAL_DIGIT.is_match(c.encode_utf8(&mut buf))
    };
    if !is_digit(c) {
        return None;
    }
    let mut run_start = u32::from(c);
    while let Some(before) = run_start.checked_sub(1).and_then(char::from_u32).filter(|&b| is_digit(b)) {
        run_start = u32::from(before);
    }
    Some(((u32::from(c) - run_start) % 10) as u8)
}

/// `text` with every finding replaced by [`MASK`]. Accepts findings from
/// anywhere: out-of-range offsets are clamped, offsets inside a character are
/// widened to cover it, and overlapping findings become one mask.
pub fn mask(text: &str, findings: &[Finding]) -> String {
    let mut spans: Vec<(usize, usize)> = findings
        .iter()
        .filter_map(|f| {
            let end = f.end.min(text.len());
            let start = f.start.min(end);
            (start < end).then(|| {
                (
                    text.floor_char_boundary(start),
                    text.ceil_char_boundary(end),
                )
            })
        })
        .collect();
    spans.sort_unstable();

    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
    for (start, end) in spans {
        match merged.last_mut() {
            Some(last) if start < last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }

    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for (start, end) in merged {
        out.push_str(&text[pos..start]);
        out.push_str(MASK);
        pos = end;
    }
    out.push_str(&text[pos..]);
    out
}

// ---------------------------------------------------------------------------
// HETU

const HETU_LEN: usize = 11;
/// Check characters indexed by DDMMYYZZZ mod 31 (G, I, O, Q and Z are left
/// out because they look like digits or each other).
const HETU_CHECK: &[u8; 31] = b"0123456789ABCDEFHJKLMNPRSTUVWXY";

/// Spans of valid codes in folded text. Every start position is tried (no regex), so
/// a rejected candidate can never hide a valid code that overlaps it. Besides the
/// official form (DDMMYY, century sign, ZZZQ), people write the code with a space or a
/// spaced dash in place of the sign, or with nothing between the parts: then the
/// century is unknown and any century with a real date will do. An all-digit code
/// that also reads as a phone number is marked so.
fn hetu_spans(text: &str) -> impl Iterator<Item = HetuSpan> + '_ {
    let bytes = text.as_bytes();
    let mut prev: Option<char> = None;
    text.char_indices().filter_map(move |(i, c)| {
        let before = prev.replace(c);
        // A code glued to a longer alphanumeric token is some other identifier.
        if !c.is_ascii_digit() || before.is_some_and(char::is_alphanumeric) {
            return None;
        }
        let (len, phone_too) = hetu_at(bytes.get(i..)?)?;
        if next_char(text, i + len).is_some_and(char::is_alphanumeric) {
            return None;
        }
        Some(HetuSpan { start: i, end: i + len, phone_too })
    })
}

struct HetuSpan {
    start: usize,
    end: usize,
    /// All digits, and also a valid phone number: "0401234550".
    phone_too: bool,
}

/// The length of the code `s` starts with, in any of the spellings above, and whether
/// it could as well be a phone number.
fn hetu_at(s: &[u8]) -> Option<(usize, bool)> {
    let date = s.get(..6).filter(|d| d.iter().all(u8::is_ascii_digit))?;
    let rest = &s[6..];
    // (bytes between the date and the number, the century sign if one was written)
    let separator: (usize, Option<u8>) = match rest {
        [b' ', b'-' | b'+', b' ', ..] => (3, Some(rest[1])),
        [b' ', b'-' | b'+', ..] => (2, Some(rest[1])),
        [b'-' | b'+', b' ', ..] => (2, Some(rest[0])),
        [sign, ..] if is_century_sign(*sign) => (1, Some(*sign)),
        [b' ', ..] => (1, None),
        _ => (0, None),
    };
    let (gap, sign) = separator;
    let tail = rest.get(gap..gap + 4)?;
    let len = 6 + gap + 4;
    let valid = match sign {
        Some(sign) => is_valid_hetu(&[date, &[sign], tail].concat()),
        None => [b'-', b'A', b'+'].iter().any(|&sign| is_valid_hetu(&[date, &[sign], tail].concat())),
    };
    if !valid {
        return None;
    }
    let all_digits = tail[3].is_ascii_digit() && sign.is_none();
    let phone_too = all_digits
        && std::str::from_utf8(&s[..len]).is_ok_and(|written| parse_phone(written).is_some_and(|phone| phone >= len));
    Some((len, phone_too))
}

fn is_century_sign(sign: u8) -> bool {
    matches!(sign.to_ascii_uppercase(), b'+' | b'-' | b'A'..=b'F' | b'U'..=b'Y')
}

/// DDMMYY C ZZZ Q with a real calendar date, an individual number of
/// 002–999 (900–999 are temporary codes) and a matching check character.
/// Sign and check character may be in either case.
fn is_valid_hetu(code: &[u8]) -> bool {
    let Ok(&[d1, d2, m1, m2, y1, y2, sign, z1, z2, z3, check]) = <&[u8; HETU_LEN]>::try_from(code)
    else {
        return false;
    };
    let digits = [d1, d2, m1, m2, y1, y2, z1, z2, z3];
    if !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let century = match sign.to_ascii_uppercase() {
        b'+' => 1800,
        b'-' | b'U'..=b'Y' => 1900,
        b'A'..=b'F' => 2000,
        _ => return false,
    };
    let number = |ds: &[u8]| {
        ds.iter()
            .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'))
    };
    let (day, month, year) = (
        number(&digits[0..2]),
        number(&digits[2..4]),
        century + number(&digits[4..6]),
    );
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return false;
    }
    if number(&digits[6..9]) < 2 {
        return false;
    }
    check.to_ascii_uppercase() == HETU_CHECK[(number(&digits) % 31) as usize]
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Gregorian rule: 1900 and 1800 were not leap years, 2000 was.
fn is_leap_year(year: u32) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

fn next_char(text: &str, at: usize) -> Option<char> {
    text.get(at..).and_then(|rest| rest.chars().next())
}

// ---------------------------------------------------------------------------
// Phone numbers

/// Digits after the area code. Below 7 too much else matches (postal codes,
/// sums); Finnish subscriber numbers are at most 8 digits.
const MIN_SUBSCRIBER_DIGITS: usize = 7;
const MAX_SUBSCRIBER_DIGITS: usize = 8;

fn is_phone_separator(c: char) -> bool {
    // Dots are left out on purpose: they belong to dates and clock times.
    matches!(c, ' ' | '-' | '\u{a0}' | '\u{202f}')
}

/// Spans of Finnish phone numbers: mobile (040–046, 049, 050) and landline
/// (02, 03, 05, 06, 08, 09, 013–019) numbers, written with a trunk 0, as
/// "(0X)", or internationally as +358 / 00358.
///
/// Known gaps, accepted to keep sums and account numbers out: foreign
/// numbers, numbers grouped with dots, and a number that follows another
/// plain number with only a space between ("huone 12 040 123 4567").
fn phone_spans(text: &str, hetus: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut found: Vec<(usize, usize)> = Vec::new();
    for (i, c) in text.char_indices() {
        let after_last = found.last().map_or(0, |&(_, end)| end);
        if i < after_last || !matches!(c, '+' | '(' | '0') {
            continue;
        }
        // Another finding's last digit may precede this one: "040 123 4567 050 765 4321".
        let ends_finding = |at: usize| {
            at == after_last || hetus.binary_search_by_key(&at, |&(_, end)| end).is_ok()
        };
        if !phone_may_start(text, i, ends_finding) {
            continue;
        }
        if let Some(len) = parse_phone(&text[i..]) {
            found.push((i, i + len));
        }
    }
    found
}

/// A phone number must not be glued to a word, nor be the tail of a longer
/// digit-group number such as an account number or a sum ("FI12 3456 0401
/// 2345 67"), unless the group before it ended another finding.
fn phone_may_start(text: &str, i: usize, ends_finding: impl Fn(usize) -> bool) -> bool {
    let mut before = text[..i].char_indices().rev();
    match before.next() {
        None => true,
        Some((_, c)) if c.is_alphanumeric() => false,
        Some((_, c)) if is_phone_separator(c) => match before.next() {
            Some((j, d)) if d.is_ascii_digit() => ends_finding(j + 1),
            _ => true,
        },
        Some(_) => true,
    }
}

/// Byte length of the phone number that `s` starts with, if any.
fn parse_phone(s: &str) -> Option<usize> {
    let mut cur = Cursor { s, pos: 0 };
    if !cur.eat_prefix() {
        return None;
    }
    let len = cur.eat_subscriber()?;
    let candidate = &s[..len];
    // "DDMMYY-NNNN" is judged only as a HETU; if its checksum failed it is
    // still not a phone number.
    if looks_like_hetu(candidate) || next_char(s, len).is_some_and(char::is_alphanumeric) {
        return None;
    }
    Some(len)
}

fn looks_like_hetu(candidate: &str) -> bool {
    let b = candidate.as_bytes();
    b.len() == HETU_LEN
        && b[..6].iter().all(u8::is_ascii_digit)
        && b[6] == b'-'
        && b[7..].iter().all(u8::is_ascii_digit)
}

struct Cursor<'a> {
    s: &'a str,
    pos: usize,
}

impl Cursor<'_> {
    fn rest(&self) -> &str {
        &self.s[self.pos..]
    }

    fn eat(&mut self, literal: &str) -> bool {
        let found = self.rest().starts_with(literal);
        if found {
            self.pos += literal.len();
        }
        found
    }

    fn eat_separator(&mut self) -> bool {
        match self.rest().chars().next() {
            Some(c) if is_phone_separator(c) => {
                self.pos += c.len_utf8();
                true
            }
            _ => false,
        }
    }

    fn eat_digits(&mut self) -> usize {
        let n = self.rest().bytes().take_while(u8::is_ascii_digit).count();
        self.pos += n;
        n
    }

    /// "+358 (0)40", "+358 40", "00358 9", "(09)", "040", "09", "013" …
    fn eat_prefix(&mut self) -> bool {
        if self.eat("+358") || self.eat("00358") {
            self.eat_separator();
            // A trunk 0 kept by mistake or in brackets: "+358 (0)40", "+358 040".
            if self.eat("(0)") || self.eat("0") {
                self.eat_separator();
            }
            self.eat_area_code()
        } else if self.eat("(0") {
            self.eat_area_code() && self.eat(")")
        } else {
            self.eat("0") && self.eat_area_code()
        }
    }

    /// The area or mobile code without its trunk 0.
    fn eat_area_code(&mut self) -> bool {
        let len = match self.rest().as_bytes() {
            [b'4', b'0'..=b'6' | b'9', ..] | [b'5', b'0', ..] | [b'1', b'3'..=b'9', ..] => 2,
            [b'2' | b'3' | b'5' | b'6' | b'8' | b'9', ..] => 1,
            _ => return false,
        };
        self.pos += len;
        true
    }

    /// Digit groups after the prefix; returns the end of the number. The first
    /// group may be glued to the prefix ("0401234567", "0400 123456"); later
    /// ones need at least two digits so that "… 4567 2 kertaa" stops at 4567.
    /// Groups that would push the count past the maximum are left out rather
    /// than failing, since another number may follow after a space.
    fn eat_subscriber(&mut self) -> Option<usize> {
        let mut total = self.eat_digits();
        if total > MAX_SUBSCRIBER_DIGITS {
            return None;
        }
        loop {
            let mark = self.pos;
            if !self.eat_separator() {
                break;
            }
            let n = self.eat_digits();
            if n < 2 || total + n > MAX_SUBSCRIBER_DIGITS {
                self.pos = mark;
                break;
            }
            total += n;
        }
        (total >= MIN_SUBSCRIBER_DIGITS).then_some(self.pos)
    }
}

// ---------------------------------------------------------------------------
// E-mail

/// local@domain.tld. Letters are Unicode-aware so that "matti.meikäläinen@…"
/// is caught whole. No '@' without a local part, so Matrix ids
/// ("@user:example.org") never match.
static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"[\p{Alphabetic}\p{N}_%+\-][\p{Alphabetic}\p{N}._%+\-]*",
        r"@(?:[\p{Alphabetic}\p{N}](?:[\p{Alphabetic}\p{N}\-]*[\p{Alphabetic}\p{N}])?\.)+",
        r"\p{Alphabetic}{2,}",
    ))
    .expect("e-mail pattern is valid")
});

fn email_spans(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    // The regex crate has no look-ahead: check that the top-level domain is
    // not glued to a digit ("x@y.fi2"), which would otherwise leave a glued
    // token unmasked next to the mask.
    EMAIL
        .find_iter(text)
        .filter(|m| !next_char(text, m.end()).is_some_and(char::is_alphanumeric))
        .map(|m| (m.start(), m.end()))
}

// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Builds a code with its check character, independently of the scanner.
    fn make_hetu(day: u32, month: u32, year: u32, sign: char, individual: u32) -> String {
        let body = format!("{day:02}{month:02}{:02}{individual:03}", year % 100);
        let n: u32 = body.parse().unwrap();
        let check = HETU_CHECK[(n % 31) as usize] as char;
        format!(
            "{day:02}{month:02}{:02}{sign}{individual:03}{check}",
            year % 100
        )
    }

    fn kinds(text: &str) -> Vec<(FindingKind, &str)> {
        scan(text)
            .into_iter()
            .map(|f| (f.kind, &text[f.start..f.end]))
            .collect()
    }

    fn assert_nothing(text: &str) {
        assert_eq!(kinds(text), vec![], "expected no findings in {text:?}");
    }

    fn assert_only(text: &str, kind: FindingKind, expected: &str) {
        assert_eq!(kinds(text), vec![(kind, expected)], "in {text:?}");
    }

    // --- HETU -------------------------------------------------------------

    #[test]
    fn public_example_is_found() {
        assert_only("131052-308T", FindingKind::Hetu, "131052-308T");
        assert!(contains_hetu("Asiakas 131052-308T soitti."));
    }

    #[test]
    fn every_century_sign_is_accepted() {
        // Literal codes computed outside this crate, one per sign.
        let codes = [
            "150688+345B",
            "150652-3452",
            "150694Y345W",
            "150699X3456",
            "150670W345P",
            "150661V345C",
            "150600U345M",
            "290200A345E",
            "150604B345N",
            "150610C3457",
            "150623D345K",
            "150624E345U",
            "150699F3456",
        ];
        for code in codes {
            assert_only(&format!("koodi {code} tässä"), FindingKind::Hetu, code);
        }
        for (sign, year) in [
            ('+', 1850),
            ('-', 1952),
            ('Y', 1960),
            ('X', 1975),
            ('W', 1980),
            ('V', 1990),
            ('U', 1999),
        ]
        .into_iter()
        .chain([
            ('A', 2000),
            ('B', 2008),
            ('C', 2015),
            ('D', 2023),
            ('E', 2050),
            ('F', 2099),
        ]) {
            let code = make_hetu(28, 2, year, sign, 123);
            assert!(contains_hetu(&code), "{code}");
        }
    }

    #[test]
    fn codes_written_as_people_write_them_are_found_and_masked_whole() {
        for code in [
            "131052 308T",
            "131052308T",
            "131052308t",
            "131052\u{2013}308T",
            "131052\u{2014}308T",
            "131052\u{2212}308T",
            "131052\u{2011}308T",
            "131052 - 308T",
            "131052 -308T",
            "131052- 308T",
            "131052\u{a0}308T",
            "\u{ff11}\u{ff13}\u{ff11}\u{ff10}\u{ff15}\u{ff12}\u{ff0d}\u{ff13}\u{ff10}\u{ff18}\u{ff34}",
            "131052\u{200b}-308T",
            "\u{0661}\u{0663}\u{0661}\u{0660}\u{0665}\u{0662}-\u{0663}\u{0660}\u{0668}T",
            // A digit check character with a space, and none at all.
            "150652 3452",
            "1506523452",
            // Century unknown: 29 February exists in 2000 only.
            "290200 345E",
        ] {
            let text = format!("Asiakas {code}, selkävaivoja.");
            assert!(contains_hetu(&text), "{code:?}");
            assert_only(&text, FindingKind::Hetu, code);
            assert_eq!(mask(&text, &scan(&text)), "Asiakas [***], selkävaivoja.", "{code:?}");
        }
    }

    #[test]
    fn lookalikes_of_the_loose_spellings_are_not_findings() {
        for text in [
            // Wrong check character, too short, too long, glued.
            "131052 308U",
            "131052308U",
            "131052 308",
            "13105230",
            "131052308TX",
            "X131052308T",
            "1310523081T",
            // No such date in any century.
            "290201 345E",
            "320152 308T",
            // Ten-digit numbers that are not codes.
            "1234567890",
            "9999999999",
        ] {
            assert_nothing(text);
        }
    }

    #[test]
    fn a_mobile_number_that_also_passes_the_code_checksum_stays_a_phone_number() {
        // 040 123 4550 read as DDMMYYZZZQ is 4 Jan 23, number 455, check 0: valid.
        for text in ["soita 0401234550", "soita 0509876530 tänään"] {
            let number = text.split(' ').nth(1).unwrap();
            assert_only(text, FindingKind::Phone, number);
        }
    }

    #[test]
    fn sign_and_check_character_may_be_lowercase() {
        for code in [
            "150694y345w",
            "150624e345u",
            "290200a345e",
            "131052-308t",
            "150694Y345w",
            "150694y345W",
        ] {
            assert_only(code, FindingKind::Hetu, code);
        }
    }

    #[test]
    fn temporary_individual_numbers_are_found() {
        for code in [
            "010188+912K",
            "010152-9129",
            "010194Y9124",
            "010124E9122",
            "010199F912D",
        ] {
            assert!(contains_hetu(code), "{code}");
        }
        assert!(contains_hetu(&make_hetu(5, 5, 1985, '-', 999)));
        assert!(contains_hetu(&make_hetu(5, 5, 1985, '-', 900)));
    }

    #[test]
    fn individual_numbers_000_and_001_are_rejected() {
        assert!(!contains_hetu(&make_hetu(5, 5, 1985, '-', 0)));
        assert!(!contains_hetu(&make_hetu(5, 5, 1985, '-', 1)));
        assert!(contains_hetu(&make_hetu(5, 5, 1985, '-', 2)));
    }

    #[test]
    fn invalid_checksums_are_not_findings() {
        assert_nothing("131052-308A");
        assert_nothing("131052-308S");
        assert_nothing("Hetu 150694Y345X ei kelpaa.");
        assert!(!contains_hetu("131052-308A"));
    }

    #[test]
    fn invalid_dates_are_rejected_even_with_a_matching_check_character() {
        assert!(!contains_hetu(&make_hetu(31, 2, 1999, '-', 123)));
        assert!(!contains_hetu(&make_hetu(31, 4, 1999, '-', 123)));
        assert!(!contains_hetu(&make_hetu(0, 4, 1999, '-', 123)));
        assert!(!contains_hetu(&make_hetu(1, 13, 1999, '-', 123)));
        assert!(!contains_hetu(&make_hetu(1, 0, 1999, '-', 123)));
        // "310299-…" whatever the rest.
        for individual in [2, 123, 456, 899, 999] {
            assert!(!contains_hetu(&make_hetu(31, 2, 1999, '-', individual)));
        }
        // Leap years by century: 1900 and 1800 were not, 2000 was.
        assert!(!contains_hetu(&make_hetu(29, 2, 1900, '-', 123)));
        assert!(!contains_hetu(&make_hetu(29, 2, 1800, '+', 123)));
        assert!(contains_hetu(&make_hetu(29, 2, 2000, 'A', 123)));
        assert!(contains_hetu(&make_hetu(29, 2, 1996, '-', 123)));
        assert!(!contains_hetu(&make_hetu(29, 2, 1997, '-', 123)));
        // Same digits, different century: 29.2.2000 valid, 29.2.1900 not.
        assert!(contains_hetu("290200A345E"));
        assert!(!contains_hetu("290200U345E"));
    }

    #[test]
    fn unknown_century_signs_are_rejected() {
        // A space in the sign's place is one of the spellings people use: see above.
        for sign in ['G', 'Z', '*', '/', '.'] {
            assert!(
                !contains_hetu(&make_hetu(13, 10, 1952, sign, 308)),
                "{sign}"
            );
        }
    }

    #[test]
    fn glued_codes_are_not_findings() {
        assert_nothing("x131052-308T");
        assert_nothing("131052-308Tx");
        assert_nothing("9131052-308T");
        assert_nothing("131052-308T0");
        assert_nothing("ä131052-308T");
        assert_nothing("131052-308TÄ");
        // A six-digit date followed by a sign and too few or too many characters.
        assert_nothing("131052-308");
        assert_nothing("131052-30");
        assert_nothing("131052-308TT");
        assert_nothing("131052-3080T");
    }

    #[test]
    fn codes_after_punctuation_are_found() {
        for (text, code) in [
            ("(131052-308T)", "131052-308T"),
            ("hetu:131052-308T,", "131052-308T"),
            ("\"131052-308T\".", "131052-308T"),
            ("tunnus=131052-308T;", "131052-308T"),
            ("hakemus_131052-308T.pdf", "131052-308T"),
            ("123456-131052-308T", "131052-308T"),
        ] {
            assert_only(text, FindingKind::Hetu, code);
        }
    }

    #[test]
    fn offsets_are_bytes_with_multibyte_text_before() {
        let text = "Äiti ja 131052-308T";
        let found = scan(text);
        assert_eq!(
            found,
            vec![Finding {
                kind: FindingKind::Hetu,
                start: 9,
                end: 20
            }]
        );
        assert_eq!(&text[9..20], "131052-308T");

        let text = "Työkyky 😀 – asiakas (131052-308T) ja ääkköset";
        let f = &scan(text)[0];
        assert_eq!(&text[f.start..f.end], "131052-308T");
    }

    #[test]
    fn several_codes_in_one_text() {
        let text = "131052-308T ja 150694Y345W sekä 010124E9122.";
        assert_eq!(
            kinds(text),
            vec![
                (FindingKind::Hetu, "131052-308T"),
                (FindingKind::Hetu, "150694Y345W"),
                (FindingKind::Hetu, "010124E9122"),
            ]
        );
    }

    // --- Phone numbers ----------------------------------------------------

    #[test]
    fn mobile_numbers_in_common_forms() {
        for number in [
            "040 123 4567",
            "0401234567",
            "040-1234567",
            "+358 40 123 4567",
            "+358401234567",
            "050 1234 567",
            "041 234 5678",
            "042 234 5678",
            "043 234 5678",
            "044 234 5678",
            "045 234 5678",
            "046 234 5678",
            "049 234 5678",
            "050 234 5678",
            "0400 123 456",
            "0457 123 4567",
            "+358 (0)40 123 4567",
            "00358 40 123 4567",
            "+358 50-1234567",
            "040\u{a0}123\u{a0}4567",
            "040 12 34 567",
            "(040) 123 4567",
        ] {
            assert_only(&format!("puh. {number}."), FindingKind::Phone, number);
        }
    }

    #[test]
    fn landline_numbers() {
        for number in [
            "09 1234 5678",
            "(02) 123 4567",
            "+358 9 1234 5678",
            "03 234 5678",
            "(09) 123 4567",
            "014 123 4567",
            "019 123 4567",
            "+358 2 123 4567",
            "0912345678",
        ] {
            assert_only(&format!("Tel: {number}"), FindingKind::Phone, number);
        }
    }

    #[test]
    fn phones_in_sentences() {
        assert_only(
            "Asiakkaan numero on 040 123 4567, soita iltapäivällä.",
            FindingKind::Phone,
            "040 123 4567",
        );
        assert_only(
            "Ring mig på 050 1234 567 i morgon.",
            FindingKind::Phone,
            "050 1234 567",
        );
        assert_only(
            "Call +358 40 123 4567 after 10.",
            FindingKind::Phone,
            "+358 40 123 4567",
        );
        assert_only(
            "Soita 040 123 4567 2 kertaa",
            FindingKind::Phone,
            "040 123 4567",
        );
        assert_eq!(
            kinds("040 123 4567 050 765 4321"),
            vec![
                (FindingKind::Phone, "040 123 4567"),
                (FindingKind::Phone, "050 765 4321")
            ]
        );
        assert_eq!(
            kinds("0401234567 0507654321"),
            vec![
                (FindingKind::Phone, "0401234567"),
                (FindingKind::Phone, "0507654321")
            ]
        );
    }

    #[test]
    fn short_or_glued_numbers_are_not_phones() {
        for text in [
            "040 123 456", // six digits after the prefix
            "09 123 456",
            "040123",
            "abc0401234567",
            "0401234567abc",
            "04012345678901", // a longer digit run
            "070 123 4567",
            "1 020 304 050", // a sum with thousands groups
            "FI12 3456 0401 2345 67",
            "020101-1234", // shaped like a HETU, failed its checksum
        ] {
            assert_nothing(text);
        }
    }

    // --- E-mail -----------------------------------------------------------

    #[test]
    fn emails_in_sentences() {
        assert_only(
            "Lähetä osoitteeseen matti.meikalainen@example.fi.",
            FindingKind::Email,
            "matti.meikalainen@example.fi",
        );
        assert_only(
            "Skicka till anna.svensson@exempel.se i dag.",
            FindingKind::Email,
            "anna.svensson@exempel.se",
        );
        assert_only(
            "Email john.doe+kela@mail.example.co.uk, thanks",
            FindingKind::Email,
            "john.doe+kela@mail.example.co.uk",
        );
        assert_only("(maija@posti.fi)", FindingKind::Email, "maija@posti.fi");
        assert_only(
            "mailto:maija@posti.fi",
            FindingKind::Email,
            "maija@posti.fi",
        );
        assert_only(
            "Äiti: liisa.mäkelä@esimerkki.fi",
            FindingKind::Email,
            "liisa.mäkelä@esimerkki.fi",
        );
    }

    #[test]
    fn matrix_ids_and_lone_at_signs_are_not_emails() {
        assert_nothing("@user:example.org");
        assert_nothing("Kysy @koordinaattori:tyokyky.fi lisää");
        assert_nothing("tapaaminen @ kirjasto");
        assert_nothing("user@localhost");
        assert_nothing("x@y.fi2");
    }

    // --- Not findings -----------------------------------------------------

    #[test]
    fn lookalikes_are_not_findings() {
        for text in [
            // Business ids (Y-tunnus).
            "2077474-0",
            "1234567-8",
            "Y-tunnus 2077474-0",
            "0912345-6",
            "0204512-3",
            // Dates.
            "15.12.2026",
            "2026-12-15",
            "1.1.",
            "ti 15.12.",
            "05-06-2026",
            "09.12.2026",
            // Clock times.
            "13.30",
            "klo 9:30",
            "klo 09.30",
            "09:30–10:00",
            // Money.
            "1 200 €",
            "1200,50 euroa",
            "35 000 e",
            "0,50 €",
            "1 050 000 €",
            // Ranges.
            "10-20",
            "2020–2024",
            "0-10",
            "2020-2024",
            // Ticket ids.
            "K-2026-0042",
            "K-2026-0401",
            // Percentages, postal codes.
            "45 %",
            "12,5%",
            "20100",
            "00100 Helsinki",
            "02100 Espoo",
            // Six-digit dates with a sign and the wrong number of characters.
            "131052-30",
            "131052-308",
            "131052+3081X",
        ] {
            assert_nothing(text);
        }
    }

    // --- Merging and masking ----------------------------------------------

    #[test]
    fn overlapping_findings_merge_and_keep_the_most_sensitive_kind() {
        let text = "131052-308T@example.fi";
        assert_eq!(
            scan(text),
            vec![Finding {
                kind: FindingKind::Hetu,
                start: 0,
                end: text.len()
            }]
        );
        let text = "0401234567@sms.example.fi";
        assert_eq!(kinds(text), vec![(FindingKind::Email, text)]);
    }

    #[test]
    fn a_phone_right_after_a_hetu_is_still_found() {
        assert_eq!(
            kinds("150652-3452 040 123 4567"),
            vec![
                (FindingKind::Hetu, "150652-3452"),
                (FindingKind::Phone, "040 123 4567")
            ]
        );
    }

    #[test]
    fn mask_replaces_every_finding() {
        let text = "Äiti ja 131052-308T, puh 040 123 4567, matti@example.fi.";
        assert_eq!(mask(text, &scan(text)), "Äiti ja [***], puh [***], [***].");
        assert_eq!(mask("ei mitään", &scan("ei mitään")), "ei mitään");
        assert_eq!(mask("", &[]), "");
        assert_eq!(mask("131052-308T", &scan("131052-308T")), MASK);
    }

    #[test]
    fn mask_tolerates_foreign_findings() {
        let f = |start, end| Finding {
            kind: FindingKind::Phone,
            start,
            end,
        };
        // Out of range, reversed, overlapping, unsorted, inside a character.
        assert_eq!(mask("abc", &[f(1, 99)]), "a[***]");
        assert_eq!(mask("abc", &[f(2, 1), f(5, 9)]), "abc");
        assert_eq!(mask("abcdef", &[f(3, 5), f(0, 2), f(1, 4)]), "[***]f");
        assert_eq!(mask("aäb", &[f(2, 3)]), "a[***]b");
        assert_eq!(mask("abcd", &[f(0, 1), f(1, 2)]), "[***][***]cd");
    }

    #[test]
    fn findings_serialize_with_lowercase_kinds() {
        let json = serde_json::to_string(&scan("x 131052-308T")).unwrap();
        assert_eq!(json, r#"[{"kind":"hetu","start":2,"end":13}]"#);
        let json = serde_json::to_string(&FindingKind::Email).unwrap();
        assert_eq!(json, r#""email""#);
    }

    // --- Properties -------------------------------------------------------

    /// A valid code: any date 1800–2099, individual number 002–999, a sign
    /// of the matching century in either case, computed check character.
    fn valid_hetu() -> impl Strategy<Value = String> {
        (
            1800u32..=2099,
            1u32..=12,
            1u32..=31,
            2u32..=999,
            any::<prop::sample::Index>(),
            any::<bool>(),
        )
            .prop_map(|(year, month, day, individual, sign_pick, lower)| {
                let day = day.min(days_in_month(year, month));
                let signs: &[char] = match year {
                    1800..=1899 => &['+'],
                    1900..=1999 => &['-', 'Y', 'X', 'W', 'V', 'U'],
                    _ => &['A', 'B', 'C', 'D', 'E', 'F'],
                };
                let code = make_hetu(day, month, year, *sign_pick.get(signs), individual);
                if lower {
                    code.to_lowercase()
                } else {
                    code
                }
            })
    }

    /// Text dense in the characters the detectors care about.
    fn tricky_text() -> impl Strategy<Value = String> {
        "[0-9A-Fa-fU-Yu-y +()@.:_\\-äÄ€😀\u{a0}]{0,60}"
    }

    fn check_invariants(text: &str) -> Result<(), TestCaseError> {
        let found = scan(text);
        for f in &found {
            prop_assert!(f.start < f.end && f.end <= text.len());
            prop_assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end));
        }
        for pair in found.windows(2) {
            prop_assert!(
                pair[0].end <= pair[1].start,
                "sorted and non-overlapping: {:?}",
                pair
            );
        }
        // Masking must never leave (or create) a code.
        prop_assert!(!contains_hetu(&mask(text, &found)));
        Ok(())
    }

    proptest! {
        #[test]
        fn scan_holds_invariants_on_any_text(text in any::<String>()) {
            check_invariants(&text)?;
        }

        #[test]
        fn scan_holds_invariants_on_tricky_text(text in tricky_text()) {
            check_invariants(&text)?;
        }

        #[test]
        fn every_valid_hetu_between_spaces_is_found(
            before in any::<String>(),
            code in valid_hetu(),
            after in any::<String>(),
        ) {
            let text = format!("{before} {code} {after}");
            let start = before.len() + 1;
            let end = start + code.len();
            prop_assert!(contains_hetu(&text));
            let found = scan(&text);
            prop_assert!(
                found.iter().any(|f| f.kind == FindingKind::Hetu && f.start <= start && end <= f.end),
                "{code} not found in {text:?}: {found:?}"
            );
            prop_assert!(!mask(&text, &found).contains(&code));
        }

        #[test]
        fn every_valid_hetu_in_a_loose_spelling_is_found(
            before in any::<String>(),
            code in valid_hetu(),
            separator in prop::sample::select(vec!["", " ", "\u{2013}", "\u{2014}", " - ", "\u{a0}"]),
            full_width in any::<bool>(),
            after in any::<String>(),
        ) {
            let mut loose = format!("{}{separator}{}", &code[..6], &code[7..]);
            if full_width {
                loose = loose.chars().map(|c| match c {
                    '0'..='9' | 'A'..='Z' | 'a'..='z' => char::from_u32(c as u32 + 0xfee0).unwrap(),
                    other => other,
                }).collect();
            }
            let text = format!("{before} {loose} {after}");
            let start = before.len() + 1;
            let end = start + loose.len();
            let found = scan(&text);
            // A ten-digit code that is also a phone number is masked as one.
            prop_assert!(
                found.iter().any(|f| f.start <= start && end <= f.end),
                "{loose:?} not found in {text:?}: {found:?}"
            );
            prop_assert!(!mask(&text, &found).contains(&loose));
        }

        #[test]
        fn valid_hetu_in_tricky_text_is_found(
            before in tricky_text(),
            code in valid_hetu(),
            after in tricky_text(),
        ) {
            let text = format!("{before} {code} {after}");
            let start = before.len() + 1;
            let found = scan(&text);
            prop_assert!(found.iter().any(|f| f.kind == FindingKind::Hetu && f.start <= start && start + 11 <= f.end));
            check_invariants(&text)?;
        }
    }
}
