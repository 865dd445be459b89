//! The command-line tools as an administrator or a script would use them.

use std::process::{Command, Output};

fn kaveri(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kaveri")).args(args).output().expect("kaveri runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// `kaveri chat` with its state in `data`, run from outside the repository: the
/// catalogue and the regions it routes with are built into the binary.
fn spawn_chat(data: &std::path::Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_kaveri"))
        .args(["chat", "--data", data.to_str().unwrap()])
        .current_dir(std::env::temp_dir())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

/// A console session fed `input`, its output.
fn chat(data: &std::path::Path, input: &str) -> String {
    use std::io::Write;
    let mut child = spawn_chat(data);
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    stdout(&out)
}

/// A minimal valid config in `dir` with `extra` TOML appended; returns its path.
fn write_config(dir: &std::path::Path, extra: &str) -> std::path::PathBuf {
    let path = dir.join("k.toml");
    let base = "[matrix]\nhomeserver = \"https://m.example.org\"\nuser_id = \"@kaveri:example.org\"\npassword = \"x\"\n\n\
                [access]\ninvite_users = [\"@a:example.org\"]\n";
    std::fs::write(&path, format!("{base}\n{extra}")).unwrap();
    path
}

#[test]
fn chat_answers_help_in_finnish_and_english_from_a_pipe() {
    let data = tempfile::tempdir().unwrap();
    for (command, expected) in [("!apua\n", "työkyvyn tuen verkoston apuri"), ("!help\n", "work-ability support network")] {
        let out = chat(data.path(), command);
        assert!(out.contains(expected), "{out}");
    }
}

#[test]
fn ask_json_ranks_cards_best_first_with_confidence() {
    let out = kaveri(&["ask", "--json", "Miten asiakas pääsee TYP:n palveluihin?"]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["confident"], true);
    let answers = v["answers"].as_array().unwrap();
    assert!(answers.len() >= 3, "{v}");
    assert_eq!(answers[0]["id"], "typ");
    assert!(answers[0]["score"].as_f64().unwrap() >= answers[1]["score"].as_f64().unwrap());

    let out = kaveri(&["ask", "--json", "--lang", "en", "Who won the football match yesterday?"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["confident"], false, "{v}");
}

#[test]
fn check_config_names_the_key_and_line_of_each_problem() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.toml");
    std::fs::write(
        &path,
        "[matrix]\nhomeserver = \"matrix.example.org\"\nuser_id = \"@kaveri:example.org\"\npassword = \"x\"\n\n[access]\ninvite_users = [\"@a:example.org\"]\n",
    )
    .unwrap();
    let out = kaveri(&["check-config", "--config", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("k.toml:2: matrix.homeserver: must start with http:// or https://"), "{err}");
}

#[test]
fn check_config_validates_the_catalogue_it_names() {
    let dir = tempfile::tempdir().unwrap();
    let cards = dir.path().join("cards");
    std::fs::create_dir(&cards).unwrap();
    let typ = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config/catalogue/typ.toml")).unwrap();
    // A related card that does not exist.
    std::fs::write(cards.join("typ.toml"), typ).unwrap();
    let path = write_config(dir.path(), &format!("[catalogue]\ndir = \"{}\"\n", cards.display()));
    let out = kaveri(&["check-config", "--config", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("typ") && err.contains("related"), "{err}");
}

#[test]
fn parse_time_prints_rfc3339_or_fails() {
    let out = kaveri(&["parse-time", "--now", "2026-11-23T10:00:00+02:00", "--json", "ensi maanantaina klo 9"]);
    assert!(out.status.success());
    assert_eq!(stdout(&out).trim(), r#"{"at":"2026-11-30T09:00:00+02:00"}"#);
    let out = kaveri(&["parse-time", "--now", "2026-11-23T10:00:00+02:00", "joskus"]);
    assert!(!out.status.success());
}

#[test]
fn privacy_scan_reports_byte_spans() {
    let out = kaveri(&["privacy-scan", "--json", "hetu 131052-308T, y-tunnus 2077474-0"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["findings"], serde_json::json!([{ "kind": "hetu", "start": 5, "end": 16 }]));
}

#[test]
fn chat_says_a_due_reminder_before_answering_the_next_line() {
    use std::io::Write;
    let data = tempfile::tempdir().unwrap();
    let mut child = spawn_chat(data.path());
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all("!muistuta 1 sekunnin päästä soita Kelaan\n".as_bytes()).unwrap();
    stdin.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    stdin.write_all(b"!muistutukset\n").unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let text = stdout(&out);
    let confirmed = text.find("Selvä! Muistutan sinua").expect(&text);
    let reminded = text.find("muistutus: soita Kelaan").expect(&text);
    let listed = text.find("ei ole muistutuksia").expect(&text);
    assert!(confirmed < reminded && reminded < listed, "{text}");
}

#[test]
fn export_reports_consultations_opened_in_the_period() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = chat(&data.join("state"), "!konsultaatio Loimaalainen asiakas, mihin ohjaan?\n");
    assert!(out.contains("Uusi konsultaatio K-"), "{out}");
    let config = write_config(dir.path(), &format!("[bot]\ndata_dir = \"{}\"\n", data.display()));
    let today = chrono::Utc::now().date_naive();
    let (from, to) = (today.pred_opt().unwrap().to_string(), today.succ_opt().unwrap().to_string());
    let csv = kaveri(&["export", "--config", config.to_str().unwrap(), "--from", &from, "--to", &to]);
    assert!(csv.status.success(), "{}", String::from_utf8_lossy(&csv.stderr));
    assert!(stdout(&csv).contains("municipality,Loimaa,1\n") && stdout(&csv).contains("status,open,1\n"), "{}", stdout(&csv));

    let json = kaveri(&["export", "--config", config.to_str().unwrap(), "--from", &from, "--to", &to, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(v["total"], 1);

    let earlier = kaveri(&["export", "--config", config.to_str().unwrap(), "--from", "2020-01-01", "--to", "2020-12-31"]);
    assert!(stdout(&earlier).contains("total,tickets,0\n"), "{}", stdout(&earlier));
}

#[test]
fn check_config_knows_which_counties_exist() {
    let dir = tempfile::tempdir().unwrap();
    let regions = concat!(env!("CARGO_MANIFEST_DIR"), "/config/regions");
    let good = write_config(
        dir.path(),
        &format!("[catalogue]\nregions_dir = \"{regions}\"\n[[rooms]]\nid = \"!k:example.org\"\nkind = \"coordinators\"\ncounty = \"varsinais-suomi\"\n"),
    );
    let out = kaveri(&["check-config", "--config", good.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout(&out).contains("22 counties, 293 municipalities"), "{}", stdout(&out));

    let bad = write_config(
        dir.path(),
        &format!("[catalogue]\nregions_dir = \"{regions}\"\n[[rooms]]\nid = \"!k:example.org\"\nkind = \"coordinators\"\ncounty = \"atlantis\"\n"),
    );
    let out = kaveri(&["check-config", "--config", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("county 'atlantis'"), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_consultation_can_be_tried_in_the_console_with_threads_and_reactions() {
    let dir = tempfile::tempdir().unwrap();
    let out = chat(
        dir.path(),
        "!konsultaatio Loimaalainen asiakas, selkävaivoja. Mihin ohjaan?\n\
         /as @koordinaattori.loimaa:example.org\n/room !koordinaattorit:example.org\n\
         /react $console-sent2 👍\n/thread $console-sent2\nOhjaa työttömien terveystarkastukseen.\n",
    );
    let claimed = out.find("otti konsultaatiosi K-2026-0001").expect(&out);
    let relayed = out.find("vastasi konsultaatioon K-2026-0001:\nOhjaa työttömien terveystarkastukseen.").expect(&out);
    assert!(claimed < relayed, "{out}");
}
