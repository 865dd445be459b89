//! Catalogue search benchmarks: questions over the shipped cards, and index build
//! and search over a synthetic 5,000-card catalogue. Also prints the p99 latency per
//! question and the index's approximate heap size.
//!
//! Targets: p99 < 1 ms per question, build < 1 s for 5,000 cards.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use kaveri::catalogue::{Catalogue, Index};
use kaveri::lang::Lang;
use std::time::{Duration, Instant};

const SYNTHETIC_CARDS: usize = 5_000;
/// Invented words the synthetic cards draw from, so that the vocabulary grows the
/// way a larger real catalogue's would.
const INVENTED_WORDS: usize = 20_000;

const QUESTIONS: &[(Lang, &str)] = &[
    (
        Lang::Fi,
        "Kenelle ohjaan asiakkaan, jolla on masennus ja pitkä työttömyys?",
    ),
    (Lang::Fi, "Miten saan yhteyden työkykykoordinaattoriin?"),
    (
        Lang::Fi,
        "Asiakas tarvitsee toimeentulotukea ja apua veloissa",
    ),
    (Lang::Fi, "mika on TYP:n rooli kuntoutuksessa"),
    (
        Lang::Fi,
        "Voiko IPS:ään ohjata suoraan psykiatrian poliklinikalta?",
    ),
    (Lang::Fi, "tyottomien terveystarkastus kuka tekee"),
    (
        Lang::Sv,
        "Vem hjälper en långtidsarbetslös klient med nedsatt arbetsförmåga?",
    ),
    (
        Lang::Sv,
        "Hur fungerar FPA:s yrkesinriktade rehabilitering?",
    ),
    (Lang::En, "Where can my client get debt counselling?"),
    (Lang::En, "Who coordinates the work ability support plan?"),
    (Lang::En, "What is the weather like in Turku tomorrow?"),
    (Lang::Fi, "Paras pizzaresepti uunissa"),
];

#[path = "support/rng.rs"]
mod rng;
use rng::Rng;

fn invented_words(rng: &mut Rng) -> Vec<String> {
    const SYLLABLES: &[&str] = &[
        "ka", "lo", "tu", "mi", "se", "ra", "vi", "no", "pe", "hu", "ly", "jä", "kö", "ta", "sa",
        "ne", "ri", "mo", "va", "hy",
    ];
    const ENDINGS: &[&str] = &["", "", "n", "lle", "ssa", "sta", "t", "en", "na"];
    (0..INVENTED_WORDS)
        .map(|_| {
            let syllables = 2 + rng.below(4);
            let mut word: String = (0..syllables)
                .map(|_| SYLLABLES[rng.below(SYLLABLES.len())])
                .collect();
            word.push_str(ENDINGS[rng.below(ENDINGS.len())]);
            word
        })
        .collect()
}

/// Replaces about a third of the words of `text`, drawing more often from the start
/// of the pool so that some invented words are common and most are rare.
fn vary(text: &str, pool: &[String], rng: &mut Rng) -> String {
    text.split(' ')
        .map(|word| {
            if rng.below(3) == 0 {
                let rank = rng.below(pool.len()) * rng.below(pool.len()) / pool.len();
                pool[rank].as_str()
            } else {
                word
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A catalogue of `n` cards made from the real ones with varied words.
fn synthetic(base: &Catalogue, n: usize) -> Catalogue {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let pool = invented_words(&mut rng);
    let cards = (0..n)
        .map(|i| {
            let mut card = base.cards[i % base.cards.len()].clone();
            card.id = format!("{}-{i}", card.id);
            card.related.clear();
            for text in [&mut card.fi, &mut card.sv, &mut card.en] {
                text.name = vary(&text.name, &pool, &mut rng);
                text.summary = vary(&text.summary, &pool, &mut rng);
                for keyword in &mut text.keywords {
                    *keyword = vary(keyword, &pool, &mut rng);
                }
                let details = [
                    &mut text.target_group,
                    &mut text.offers,
                    &mut text.access,
                    &mut text.coordinator,
                ];
                for field in details.into_iter().flatten() {
                    *field = vary(field, &pool, &mut rng);
                }
            }
            card
        })
        .collect();
    Catalogue { cards }
}

/// Latency of each question, many rounds; prints median, p99 and max.
fn report_latency(name: &str, index: &Index) {
    // The first asking of each question, apart: with Voikko, its words are analysed
    // then and cached after.
    let mut first: Vec<Duration> = Vec::new();
    for &(lang, question) in QUESTIONS {
        let start = Instant::now();
        black_box(index.search(black_box(&format!("{question} ")), lang));
        first.push(start.elapsed());
    }
    first.sort_unstable();
    println!(
        "{name}: first asking (Voikko {}): median {:?}, max {:?}",
        if kaveri::catalogue::voikko_in_use() { "on" } else { "off" },
        first[first.len() / 2],
        first[first.len() - 1]
    );
    let mut times: Vec<Duration> = Vec::new();
    for _ in 0..200 {
        for &(lang, question) in QUESTIONS {
            let start = Instant::now();
            black_box(index.search(black_box(question), lang));
            times.push(start.elapsed());
        }
    }
    times.sort_unstable();
    let at = |q: f64| times[((times.len() - 1) as f64 * q) as usize];
    println!(
        "{name}: {} cards, index ≈ {:.1} MiB, search median {:?}, p99 {:?}, max {:?}",
        index.len(),
        index.heap_bytes() as f64 / (1024.0 * 1024.0),
        at(0.5),
        at(0.99),
        times[times.len() - 1],
    );
}

fn benches(c: &mut Criterion) {
    let shipped = Catalogue::shipped();
    let index = Index::build(&shipped);
    report_latency("shipped", &index);
    let mut next = 0;
    c.bench_function("search shipped catalogue", |b| {
        b.iter(|| {
            let (lang, question) = QUESTIONS[next % QUESTIONS.len()];
            next += 1;
            index.search(black_box(question), lang)
        })
    });
    c.bench_function("build shipped index", |b| {
        b.iter(|| Index::build(black_box(&shipped)))
    });

    let big = synthetic(&shipped, SYNTHETIC_CARDS);
    let start = Instant::now();
    let big_index = Index::build(&big);
    println!(
        "synthetic: built {SYNTHETIC_CARDS} cards in {:?}",
        start.elapsed()
    );
    report_latency("synthetic", &big_index);
    let mut group = c.benchmark_group("synthetic 5000 cards");
    group.sample_size(10);
    group.bench_function("build index", |b| b.iter(|| Index::build(black_box(&big))));
    let mut next = 0;
    group.bench_function("search", |b| {
        b.iter(|| {
            let (lang, question) = QUESTIONS[next % QUESTIONS.len()];
            next += 1;
            big_index.search(black_box(question), lang)
        })
    });
    group.finish();
}

criterion_group!(catalogue, benches);
criterion_main!(catalogue);
