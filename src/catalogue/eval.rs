//! Search quality measured on evaluation sets: in-domain questions with the cards that
//! should answer them, and out-of-domain questions that must not be answered confidently.
//! tests/eval/dev-*.toml are for tuning; tests/eval/test.toml is held out (only the gate
//! reads it) and so is tests/eval/test-2.toml; both print figures, never questions.

use super::{CatalogueError, Index};
use crate::lang::Lang;
use serde::Deserialize;
use std::fmt;
use std::path::Path;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EvalSet {
    #[serde(default)]
    q: Vec<Question>,
    #[serde(default)]
    ood: Vec<OutOfDomain>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Question {
    lang: Lang,
    text: String,
    expect: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OutOfDomain {
    lang: Lang,
    text: String,
}

/// An in-domain question whose expected card was not the top hit.
#[derive(Debug, Clone, PartialEq)]
pub struct Miss {
    pub lang: Lang,
    pub text: String,
    pub expect: Vec<String>,
    /// The three best hits.
    pub got: Vec<String>,
    pub confident: bool,
}

/// Results of one evaluation run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EvalReport {
    pub questions: usize,
    /// Questions whose best hit is an expected card.
    pub top1: usize,
    /// Questions with an expected card among the three best hits.
    pub top3: usize,
    /// Questions answered confidently with an expected card as the best hit.
    pub confident_correct: usize,
    /// Questions answered confidently with a wrong card as the best hit.
    pub confident_wrong: usize,
    /// Questions whose best hit is right but which were answered as unsure.
    pub right_unsure: usize,
    /// In-domain questions answered as unsure and not taken for the network's: the asker
    /// would not be offered a consultation.
    pub unsure_not_offered: usize,
    pub out_of_domain: usize,
    /// Out-of-domain questions that were wrongly answered confidently.
    pub ood_confident: Vec<String>,
    /// Out-of-domain questions taken for the network's (a consultation would be offered).
    pub ood_offered: usize,
    pub misses: Vec<Miss>,
    /// Expected ids that name no card in the index.
    pub unknown_ids: Vec<String>,
}

fn rate(count: usize, total: usize) -> f64 {
    if total == 0 {
        0.0
    } else {
        count as f64 / total as f64
    }
}

impl EvalReport {
    pub fn top1_rate(&self) -> f64 {
        rate(self.top1, self.questions)
    }

    pub fn top3_rate(&self) -> f64 {
        rate(self.top3, self.questions)
    }

    /// Share of in-domain questions answered confidently and correctly.
    pub fn confident_rate(&self) -> f64 {
        rate(self.confident_correct, self.questions)
    }

    /// Share of in-domain questions answered confidently with a wrong card: the worst
    /// outcome, a professional sent to the wrong service.
    pub fn confident_wrong_rate(&self) -> f64 {
        rate(self.confident_wrong, self.questions)
    }

    pub fn right_unsure_rate(&self) -> f64 {
        rate(self.right_unsure, self.questions)
    }

    /// Adds another set's counts to these (for a total over several sets).
    pub fn absorb(&mut self, other: EvalReport) {
        self.questions += other.questions;
        self.top1 += other.top1;
        self.top3 += other.top3;
        self.confident_correct += other.confident_correct;
        self.confident_wrong += other.confident_wrong;
        self.right_unsure += other.right_unsure;
        self.unsure_not_offered += other.unsure_not_offered;
        self.out_of_domain += other.out_of_domain;
        self.ood_confident.extend(other.ood_confident);
        self.ood_offered += other.ood_offered;
        self.misses.extend(other.misses);
        self.unknown_ids.extend(other.unknown_ids);
    }

    /// The figures alone, without any question: what the held-out set may show.
    pub fn summary(&self) -> String {
        format!(
            "{} questions: top-1 {:.1}%, top-3 {:.1}%, confident and right {:.1}%, confident and wrong {:.1}% ({}), \
             right but unsure {:.1}% ({} of the unsure offered no consultation); {} out-of-domain, {} confident, \
             {} offered a consultation",
            self.questions,
            100.0 * self.top1_rate(),
            100.0 * self.top3_rate(),
            100.0 * self.confident_rate(),
            100.0 * self.confident_wrong_rate(),
            self.confident_wrong,
            100.0 * self.right_unsure_rate(),
            self.unsure_not_offered,
            self.out_of_domain,
            self.ood_confident.len(),
            self.ood_offered
        )
    }
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.summary())?;
        for miss in &self.misses {
            writeln!(
                f,
                "  miss [{}] {:?}: expected {:?}, got {:?}{}",
                miss.lang,
                miss.text,
                miss.expect,
                miss.got,
                if miss.confident { " (confident)" } else { "" }
            )?;
        }
        for text in &self.ood_confident {
            writeln!(f, "  out-of-domain but confident: {text:?}")?;
        }
        for id in &self.unknown_ids {
            writeln!(f, "  expected id names no card: {id}")?;
        }
        Ok(())
    }
}

/// Runs every question of `eval_file` through `index`.
pub fn evaluate(index: &Index, eval_file: &Path) -> Result<EvalReport, CatalogueError> {
    let text = std::fs::read_to_string(eval_file).map_err(|source| CatalogueError::Io {
        path: eval_file.to_path_buf(),
        source,
    })?;
    let set: EvalSet = toml::from_str(&text).map_err(|e| CatalogueError::Parse {
        path: eval_file.to_path_buf(),
        line: e
            .span()
            .map(|span| text[..span.start].matches('\n').count() + 1),
        message: e.message().to_string(),
    })?;
    let mut report = EvalReport {
        questions: set.q.len(),
        out_of_domain: set.ood.len(),
        ..EvalReport::default()
    };
    for question in set.q {
        for id in &question.expect {
            if !index.contains(id) && !report.unknown_ids.contains(id) {
                report.unknown_ids.push(id.clone());
            }
        }
        let result = index.search(&question.text, question.lang);
        let best: Vec<&str> = result.hits.iter().take(3).map(|h| h.id.as_str()).collect();
        let expected = |id: &&str| question.expect.iter().any(|e| e == id);
        let top1 = best.first().is_some_and(expected);
        if top1 {
            report.top1 += 1;
        }
        if best.iter().any(expected) {
            report.top3 += 1;
        }
        if !result.confident && !result.in_domain {
            report.unsure_not_offered += 1;
        }
        match (result.confident, top1) {
            (true, true) => report.confident_correct += 1,
            (true, false) => report.confident_wrong += 1,
            (false, true) => report.right_unsure += 1,
            (false, false) => {}
        }
        if !top1 {
            report.misses.push(Miss {
                lang: question.lang,
                got: best.iter().map(|s| s.to_string()).collect(),
                expect: question.expect,
                text: question.text,
                confident: result.confident,
            });
        }
    }
    for question in set.ood {
        let result = index.search(&question.text, question.lang);
        if result.in_domain {
            report.ood_offered += 1;
        }
        if result.confident {
            report.ood_confident.push(question.text);
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Catalogue;

    /// The gate on the held-out set (issue #11): top-1 and top-3 at least these, at most
    /// this share confidently wrong, and no out-of-domain question answered confidently.
    const TEST_TOP1: f64 = 0.95;
    const TEST_TOP3: f64 = 0.99;
    const TEST_CONFIDENT_WRONG: f64 = 0.02;

    /// Every dev set keeps at least these.
    const DEV_SET_TOP1: f64 = 0.80;
    const DEV_SET_TOP3: f64 = 0.90;

    fn report(set: &str) -> EvalReport {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/eval").join(set);
        let report = evaluate(&Index::build(&Catalogue::shipped()), &path).unwrap();
        assert!(report.questions >= 100 && report.out_of_domain >= 20, "{set} is too small");
        assert!(report.unknown_ids.is_empty(), "{set} names unknown cards: {:?}", report.unknown_ids);
        report
    }

    /// The sets tuned on (tests/eval/dev*.toml, each written apart from the ranking): every
    /// miss is printed, to work on.
    #[test]
    fn dev_sets() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/eval");
        let mut sets: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .filter(|name| name.starts_with("dev") && name.ends_with(".toml"))
            .collect();
        sets.sort();
        assert!(!sets.is_empty(), "no dev sets in {}", dir.display());
        let with = if crate::catalogue::voikko_in_use() { " (with Voikko)" } else { "" };
        let mut all = EvalReport::default();
        let mut failures = Vec::new();
        for set in &sets {
            let report = report(set);
            println!("{set}{with}: {report}");
            // Guards against a change that breaks one voice of asking, set under the
            // hardest set's figures (dev-10's long case descriptions: 82 % and 90 %).
            if report.top1_rate() < DEV_SET_TOP1 {
                failures.push(format!("{set}: top-1 accuracy below {:.0}%", 100.0 * DEV_SET_TOP1));
            }
            if report.top3_rate() < DEV_SET_TOP3 {
                failures.push(format!("{set}: top-3 accuracy below {:.0}%", 100.0 * DEV_SET_TOP3));
            }
            if !report.ood_confident.is_empty() {
                failures.push(format!("{set}: out-of-domain questions answered confidently"));
            }
            all.absorb(report);
        }
        println!("all dev sets{with}: {}", all.summary());
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    /// Tuning aid: confident answers to the questions of any file,
    /// `KAVERI_PROBE=path cargo test --no-default-features --lib probe -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn probe() {
        let path = std::env::var("KAVERI_PROBE").expect("KAVERI_PROBE names an eval file");
        let index = Index::build(&Catalogue::shipped());
        println!("{}", evaluate(&index, Path::new(&path)).unwrap());
    }

    /// A second held-out set, written at the end of the session that met the first one's
    /// targets, to see whether they hold on questions that session never measured: only
    /// its figures are printed, and the worst outcome (confidently wrong) is gated.
    #[test]
    fn second_held_out_set() {
        let report = report("test-2.toml");
        let summary = report.summary();
        let with = if crate::catalogue::voikko_in_use() { " (with Voikko)" } else { "" };
        println!("second held-out set{with}: {summary}");
        assert!(report.confident_wrong_rate() <= TEST_CONFIDENT_WRONG, "too many confident wrong answers: {summary}");
    }

    /// The held-out gate. Only figures are printed, so that nobody tunes to its questions.
    #[test]
    fn held_out_test_set_gate() {
        let report = report("test.toml");
        let summary = report.summary();
        let with = if crate::catalogue::voikko_in_use() { " (with Voikko)" } else { "" };
        println!("held-out test set{with}: {summary}");
        assert!(report.confident_wrong_rate() <= TEST_CONFIDENT_WRONG, "too many confident wrong answers: {summary}");
        if crate::catalogue::voikko_in_use() {
            // An option under measurement: it must not answer wrongly with confidence; its
            // other figures are printed for comparison with the default.
            return;
        }
        assert!(report.top1_rate() >= TEST_TOP1, "top-1 below 95 %: {summary}");
        assert!(report.top3_rate() >= TEST_TOP3, "top-3 below 99 %: {summary}");
        assert!(report.ood_confident.is_empty(), "an out-of-domain question answered confidently: {summary}");
    }
}
