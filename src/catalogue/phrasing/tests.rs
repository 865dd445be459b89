//! Against a stub chat-completions server on 127.0.0.1: no real model is involved.

use super::*;
use crate::catalogue::{answer as extractive, Index};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc::Receiver;

const QUESTION: &str = "Miten asiakas pääsee IPS-työhönvalmennukseen?";

/// Serves one request: records it, waits `delay`, answers `status` with `body`.
fn stub(delay: Duration, status: u16, body: &str) -> (String, Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1/chat/completions", listener.local_addr().unwrap());
    let body = body.to_string();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let Ok((stream, _)) = listener.accept() else { return };
        let mut reader = BufReader::new(stream);
        let mut request = String::new();
        let mut length = 0;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
            request.push_str(&line);
            if line == "\r\n" {
                break;
            }
        }
        let mut content = vec![0; length];
        let _ = reader.read_exact(&mut content);
        request.push_str(&String::from_utf8_lossy(&content));
        let _ = tx.send(request);
        std::thread::sleep(delay);
        let reason = if status == 200 { "OK" } else { "Error" };
        let response = format!(
            "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = reader.get_mut().write_all(response.as_bytes());
    });
    (url, rx)
}

fn completion(content: &str) -> String {
    serde_json::json!({
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "choices": [{ "index": 0, "message": { "role": "assistant", "content": content }, "finish_reason": "stop" }],
    })
    .to_string()
}

struct Setup {
    catalogue: Catalogue,
    texts: Texts,
    grounding: Grounding,
    fallback: Message,
}

/// A confident question, its grounding and its extractive answer, as the engine makes them.
fn setup(question: &str, lang: Lang) -> Setup {
    let catalogue = Catalogue::shipped();
    let texts = Texts::embedded().unwrap();
    let result = Index::build(&catalogue).search(question, lang);
    assert!(result.confident, "{question}");
    let fallback = extractive::answer(&catalogue, &result, question, lang, &texts);
    let grounding = Grounding {
        question: question.to_string(),
        lang,
        card_ids: result.hits.iter().take(2).map(|h| h.id.clone()).collect(),
    };
    Setup { catalogue, texts, grounding, fallback }
}

fn phrased(s: &Setup, phraser: Option<&Phraser>) -> Message {
    answer(phraser, &s.catalogue, &s.texts, &s.grounding, &s.fallback)
}

fn phraser(url: &str) -> Phraser {
    Phraser::new(url, "stub-model", None, Duration::from_millis(2000))
}

#[test]
fn model_text_is_sent_with_the_source_lines_of_its_cards() {
    let s = setup(QUESTION, Lang::Fi);
    let reply = "IPS-työhönvalmennukseen ohjataan mielenterveyspalveluista.\n\nAsiakas voi myös hakeutua itse.";
    let (url, requests) = stub(Duration::ZERO, 200, &completion(reply));
    let m = phrased(&s, Some(&Phraser::new(&url, "stub-model", Some("sekret".into()), Duration::from_millis(2000))));
    assert!(m.plain.starts_with("IPS-työhönvalmennukseen ohjataan mielenterveyspalveluista.\nAsiakas voi myös"), "{}", m.plain);
    assert!(m.plain.contains("Lähde: palvelukortti IPS-työhönvalmennus (ips-tyohonvalmennus)"), "{}", m.plain);
    assert_eq!(m.plain.matches("Lähde:").count(), s.grounding.card_ids.len(), "{}", m.plain);
    assert_eq!(m.plain.matches("Katso myös:").count(), 1, "{}", m.plain);
    assert!(m.html.contains("<code>ips-tyohonvalmennus</code>"), "{}", m.html);
    assert_ne!(m, s.fallback);

    let request = requests.recv_timeout(Duration::from_secs(1)).unwrap();
    assert!(request.starts_with("POST /v1/chat/completions HTTP/1.1\r\n"), "{request}");
    assert!(request.to_lowercase().contains("authorization: bearer sekret"), "{request}");
    let body: serde_json::Value = serde_json::from_str(&request[request.find("\r\n\r\n").unwrap() + 4..]).unwrap();
    assert_eq!(body["model"], "stub-model");
    assert_eq!(body["messages"][0]["role"], "system");
    assert!(body["messages"][0]["content"].as_str().unwrap().contains("Vastaa suomeksi"));
    let user = body["messages"][1]["content"].as_str().unwrap();
    assert!(user.contains(QUESTION), "{user}");
    let card = s.catalogue.card("ips-tyohonvalmennus").unwrap();
    assert!(user.contains(card.fi.access.as_deref().unwrap()), "the card's own text: {user}");
    assert!(user.contains("Näin pääsee:"), "{user}");
}

#[test]
fn swedish_question_gets_the_swedish_prompt_and_source_line() {
    let s = setup("Hur kommer en klient till IPS-arbetsträning?", Lang::Sv);
    let (url, requests) = stub(Duration::ZERO, 200, &completion("IPS-arbetsträning nås via arbetsförmågekoordinatorn."));
    let m = phrased(&s, Some(&phraser(&url)));
    assert!(m.plain.starts_with("IPS-arbetsträning nås"), "{}", m.plain);
    assert!(m.plain.contains("Källa: tjänstekortet"), "{}", m.plain);
    let request = requests.recv_timeout(Duration::from_secs(1)).unwrap();
    assert!(request.contains("Svara på svenska"), "{request}");
}

#[test]
fn slow_model_falls_back_within_the_timeout() {
    let s = setup(QUESTION, Lang::Fi);
    let (url, _requests) = stub(Duration::from_secs(3), 200, &completion("liian myöhään"));
    let started = Instant::now();
    let m = phrased(&s, Some(&phraser(&url)));
    let took = started.elapsed();
    assert_eq!(m, s.fallback);
    assert!(took < Duration::from_millis(2500), "took {took:?}");
    assert!(took >= Duration::from_millis(1900), "gave up early: {took:?}");
}

#[test]
fn server_errors_and_bad_replies_fall_back() {
    let s = setup(QUESTION, Lang::Fi);
    for (status, body) in [
        (500, "{\"error\": \"boom\"}".to_string()),
        (200, "this is not json".to_string()),
        (200, "{\"choices\": []}".to_string()),
        (200, completion("   \n  ")),
        (200, completion(&"Liian pitkä vastaus. ".repeat(100))),
        (200, completion("Soita asiakkaalle numeroon 040 123 4567.")),
    ] {
        let (url, _requests) = stub(Duration::ZERO, status, &body);
        assert_eq!(phrased(&s, Some(&phraser(&url))), s.fallback, "{status} {body}");
    }
}

#[test]
fn unreachable_endpoint_falls_back() {
    let s = setup(QUESTION, Lang::Fi);
    // Bound and closed again: nothing listens there.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}/v1/chat/completions");
    assert_eq!(phrased(&s, Some(&phraser(&url))), s.fallback);
}

#[test]
fn without_a_model_the_extractive_answer_is_sent_unchanged() {
    let s = setup(QUESTION, Lang::Fi);
    let m = phrased(&s, None);
    assert_eq!(m, s.fallback);
    assert!(m.plain.starts_with("IPS-työhönvalmennus"), "{}", m.plain);
}

#[test]
fn model_markup_is_rendered_safely() {
    let s = setup(QUESTION, Lang::Fi);
    let (url, _requests) = stub(Duration::ZERO, 200, &completion("**IPS** sopii. <img src=x onerror=alert(1)>"));
    let m = phrased(&s, Some(&phraser(&url)));
    assert!(m.html.starts_with("<b>IPS</b> sopii. &lt;img"), "{}", m.html);
    assert!(!m.html.contains("<img"), "{}", m.html);
}

#[test]
fn chat_completion_parsing() {
    assert_eq!(parse_reply(&completion("hei")), Ok("hei".to_string()));
    assert_eq!(parse_reply("{\"choices\":[{\"message\":{\"content\":null}}]}"), Err(PhraseError::Malformed));
    let cut = "{\"choices\":[{\"message\":{\"content\":\"kesken\"},\"finish_reason\":\"length\"}]}";
    assert_eq!(parse_reply(cut), Err(PhraseError::Truncated));
    assert_eq!(check_reply("Ohjaa TYP:iin.\n\n  \nKysy koordinaattorilta."), Ok("Ohjaa TYP:iin.\nKysy koordinaattorilta.".into()));
    assert_eq!(check_reply("Soita asiakkaalle numeroon 040 123 4567."), Err(PhraseError::PersonalData));
    assert_eq!(check_reply("Asiakas 131052-308T sopii TYP:iin."), Err(PhraseError::PersonalData));
    assert_eq!(check_reply(&"Liian pitkä. ".repeat(100)), Err(PhraseError::TooLong));
    assert_eq!(check_reply(&"rivi\n".repeat(9)), Err(PhraseError::TooLong));
}

#[test]
fn key_comes_from_the_named_environment_variable_and_is_never_shown() {
    let config = AnswerModelConfig {
        url: "http://127.0.0.1:9/v1/chat/completions".into(),
        model: "m".into(),
        api_key_env: Some("KAVERI_TEST_PHRASING_KEY".into()),
        timeout_ms: 2000,
    };
    std::env::set_var("KAVERI_TEST_PHRASING_KEY", "sk-very-secret");
    let p = Phraser::from_config(&config);
    assert_eq!(p.api_key.as_deref(), Some("sk-very-secret"));
    assert!(!format!("{p:?}").contains("sk-very-secret"));
    assert_eq!(p.timeout(), Duration::from_millis(2000));
}

#[test]
fn every_language_has_an_answer_prompt() {
    for lang in Lang::ALL {
        let prompt = system_prompt(lang);
        assert!(prompt.lines().count() >= 5, "{lang}");
    }
}
