//! Grounded phrasing on a real Synapse, with a stub chat-completions server on 127.0.0.1
//! in place of a model: the phrased answer keeps its source line, and a model that is
//! too slow is replaced by the extractive answer.
#![cfg(feature = "matrix")]
#![recursion_limit = "256"]

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::{Duration, Instant};
use support::{Bot, Person};

const PHRASED: &str = "IPS-työhönvalmennukseen ohjataan yleensä hoitavasta mielenterveysyksiköstä.";

/// Answers the first request at once with `PHRASED`, every later one after 3 s.
/// Sends each request's body on the returned channel.
fn stub_model() -> (String, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1/chat/completions", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().enumerate().take(10) {
            let Ok(stream) = stream else { continue };
            let tx = tx.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream);
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some((name, value)) = line.split_once(':') {
                        if name.eq_ignore_ascii_case("content-length") {
                            length = value.trim().parse().unwrap_or(0);
                        }
                    }
                }
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                let _ = tx.send(String::from_utf8_lossy(&body).into_owned());
                if n > 0 {
                    std::thread::sleep(Duration::from_secs(3));
                }
                let reply = serde_json::json!({
                    "choices": [{ "index": 0, "message": { "role": "assistant", "content": PHRASED }, "finish_reason": "stop" }],
                })
                .to_string();
                let response = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
                    reply.len()
                );
                let _ = reader.get_mut().write_all(response.as_bytes());
            });
        }
    });
    (url, rx)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_are_phrased_by_the_model_with_their_source_and_fall_back_when_it_is_slow() {
    let (url, requests) = stub_model();
    let mut alice = Person::new("alice").await;
    let config = format!(
        "[access]\ninvite_users = [\"{}\"]\n\n[answer_model]\nurl = \"{url}\"\nmodel = \"stub\"\n",
        alice.user_id
    );
    let mut bot = Bot::new(&config);
    bot.start().await;
    let room = alice.create_room(&bot.user_id, true).await;
    alice.wait_membership(&room, &bot.user_id, true).await;

    let question = "Miten asiakas pääsee IPS-työhönvalmennukseen?";
    alice.say(&room, &format!("!kysy {question}")).await;
    let answer = alice.expect_from(&room, &bot.user_id, 40).await;
    assert!(answer.notice, "{answer:?}");
    assert!(answer.body.starts_with(PHRASED), "{answer:?}");
    assert!(answer.body.contains("Lähde: palvelukortti IPS-työhönvalmennus (ips-tyohonvalmennus)"), "{answer:?}");
    let request = requests.recv_timeout(Duration::from_secs(5)).unwrap();
    assert!(request.contains(question) && request.contains("\"model\":\"stub\""), "{request}");

    // Not in the catalogue: answered without asking the model.
    alice.say(&room, "!kysy Milloin kirjasto on auki lauantaina?").await;
    let unsure = alice.expect_from(&room, &bot.user_id, 40).await;
    assert!(unsure.body.starts_with("En löytänyt palvelukorttia"), "{unsure:?}");
    assert!(requests.try_recv().is_err(), "the model was asked about an unsure answer");

    // The stub now takes 3 s: the extractive answer goes out after about 2 s instead.
    let asked = Instant::now();
    alice.say(&room, "!kysy Kenelle kuntouttava työtoiminta on tarkoitettu?").await;
    let fallback = alice.expect_from(&room, &bot.user_id, 40).await;
    assert!(fallback.body.starts_with("Kuntouttava työtoiminta"), "{fallback:?}");
    assert!(fallback.body.contains("Lähde: palvelukortti Kuntouttava työtoiminta"), "{fallback:?}");
    assert!(asked.elapsed() >= Duration::from_millis(1900), "the model was not waited for");
    assert!(requests.recv_timeout(Duration::from_secs(1)).is_ok(), "the model was asked");

    bot.stop().await;
    let log = bot.log();
    assert!(log.contains("answer phrased by the model") && log.contains("no reply in time"), "{log}");
    assert!(!log.contains("IPS-työhönvalmennukseen?") && !log.contains(PHRASED), "bodies logged above debug:\n{log}");
}
