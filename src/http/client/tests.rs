//! The client against raw HTTP servers on 127.0.0.1 that redirect, announce
//! or stream huge bodies, and record what they were sent.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::*;

/// What a test server answers every request with.
#[derive(Clone)]
enum Answer {
    /// The response head and body as written.
    Raw(String),
    /// A chunked body that never ends.
    Endless,
}

/// A server that answers every connection with `answer` and keeps the
/// heads of the requests it got.
async fn serve(answer: Answer) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let heads = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&heads);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let answer = answer.clone();
            let seen = Arc::clone(&seen);
            tokio::spawn(async move { answer_one(stream, answer, seen).await });
        }
    });
    (format!("http://{address}"), heads)
}

async fn answer_one(mut stream: TcpStream, answer: Answer, seen: Arc<Mutex<Vec<String>>>) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).await.unwrap_or(0) == 0 {
            return;
        }
        head.push(byte[0]);
    }
    seen.lock()
        .unwrap()
        .push(String::from_utf8_lossy(&head).to_lowercase());
    match answer {
        Answer::Raw(text) => {
            let _ = stream.write_all(text.as_bytes()).await;
        }
        Answer::Endless => {
            let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                        transfer-encoding: chunked\r\n\r\n";
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let chunk = format!("{:x}\r\n{}\r\n", 8192, " ".repeat(8192));
            // Until the client hangs up.
            while stream.write_all(chunk.as_bytes()).await.is_ok() {}
        }
    }
}

fn client(max_response_bytes: u64) -> Client {
    build_client(&HttpOptions {
        max_response_bytes,
        ..HttpOptions::default()
    })
    .unwrap()
}

#[tokio::test]
async fn a_redirect_is_not_followed_and_its_target_hears_nothing() {
    let (elsewhere, stolen) = serve(Answer::Raw(
        "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}".into(),
    ))
    .await;
    for status in [
        "301 Moved Permanently",
        "302 Found",
        "307 Temporary Redirect",
        "308 Permanent Redirect",
    ] {
        let (origin, _) = serve(Answer::Raw(format!(
            "HTTP/1.1 {status}\r\nlocation: {elsewhere}/steal?token=abc&page=2\r\ncontent-length: 0\r\n\r\n"
        )))
        .await;
        let client = client(DEFAULT_MAX_RESPONSE_BYTES);
        let request = client
            .post(format!("{origin}/v3/auth/tokens"))
            .header("x-auth-token", "secret-token")
            .body("{\"password\": \"p\"}");
        let error = client.send(request, "POST origin").await.unwrap_err();
        assert_eq!(error.class(), "redirect");
        let code = &status[..3];
        assert_eq!(
            error.to_string(),
            format!(
                "redirect not followed: POST origin: HTTP {} to \"{elsewhere}/steal?token=***&page=2\"; \
                 vpnsnap follows no redirects, so that credentials never leave the endpoint they \
                 are for: configure the endpoint the API answers on",
                StatusCode::from_u16(code.parse().unwrap()).unwrap()
            )
        );
    }
    assert_eq!(stolen.lock().unwrap().len(), 0);
}

#[tokio::test]
async fn a_relative_redirect_is_named_too() {
    let (origin, _) = serve(Answer::Raw(
        "HTTP/1.1 303 See Other\r\nlocation: /elsewhere?Signature=xyz\r\ncontent-length: 0\r\n\r\n"
            .into(),
    ))
    .await;
    let client = client(DEFAULT_MAX_RESPONSE_BYTES);
    let error = client
        .send(client.get(format!("{origin}/")), "GET origin")
        .await
        .unwrap_err();
    assert!(
        error.to_string().starts_with(
            "redirect not followed: GET origin: HTTP 303 See Other to \"/elsewhere?Signature=***\";"
        ),
        "{error}"
    );
}

#[tokio::test]
async fn a_body_announced_over_the_cap_is_refused_unread() {
    let (origin, _) = serve(Answer::Raw(
        "HTTP/1.1 200 OK\r\ncontent-length: 2000000000\r\n\r\n{".into(),
    ))
    .await;
    let client = client(1024);
    let error = client
        .send(client.get(format!("{origin}/")), "GET origin")
        .await
        .unwrap_err();
    assert_eq!(error.class(), "too_large");
    assert_eq!(
        error.to_string(),
        "response too large: GET origin: HTTP 200 OK announces a body of 2000000000 bytes, \
         more than max_response_bytes = 1024"
    );
}

#[tokio::test]
async fn an_endless_body_stops_at_the_cap() {
    let (origin, _) = serve(Answer::Endless).await;
    let client = client(256 * 1024);
    let error = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        client.send(client.get(format!("{origin}/")), "GET origin"),
    )
    .await
    .expect("the read stops at the cap, not at the timeout")
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "response too large: GET origin: HTTP 200 OK sent a longer body, more than \
         max_response_bytes = 262144"
    );
}

#[tokio::test]
async fn a_body_within_the_cap_is_read_whole_and_no_referer_is_sent() {
    let (origin, heads) = serve(Answer::Raw(
        "HTTP/1.1 404 Not Found\r\nx-request-id: r1\r\ncontent-length: 11\r\n\r\n{\"a\": \"b\"}\n"
            .into(),
    ))
    .await;
    let client = client(11);
    let reply = client
        .send(client.get(format!("{origin}/x")), "GET origin")
        .await
        .unwrap();
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.headers.get("x-request-id").unwrap(), "r1");
    assert_eq!(reply.text(), "{\"a\": \"b\"}\n");
    let heads = heads.lock().unwrap();
    assert_eq!(heads.len(), 1);
    assert!(!heads[0].contains("referer"), "{}", heads[0]);
    assert!(heads[0].contains(&format!("user-agent: {}", USER_AGENT.to_lowercase())));
}
