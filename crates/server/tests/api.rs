//! The API of `perelom serve`: every endpoint, and bad requests of each kind.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use futures_util::StreamExt;
use perelom_server::{router, AppState, Config};
use serde_json::{json, Value};
use std::time::Duration;
use tower::ServiceExt;

fn app_with(cfg: Config) -> Router {
    router(AppState::new(cfg))
}

fn app() -> Router {
    app_with(Config::default())
}

async fn send(app: &Router, method: &str, uri: &str, body: Option<&str>) -> (StatusCode, Vec<u8>, String) {
    let mut req = Request::builder().method(method).uri(uri);
    if body.is_some() {
        req = req.header(header::CONTENT_TYPE, "application/json");
    }
    let req = req.body(body.map_or_else(Body::empty, |b| Body::from(b.to_string()))).expect("request");
    let res = app.clone().oneshot(req).await.expect("response");
    let status = res.status();
    let ctype = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX).await.expect("body");
    (status, bytes.to_vec(), ctype)
}

async fn json_of(app: &Router, method: &str, uri: &str, body: Option<&str>) -> (StatusCode, Value) {
    let (s, b, _) = send(app, method, uri, body).await;
    (s, serde_json::from_slice(&b).unwrap_or_else(|_| json!({"raw": String::from_utf8_lossy(&b)})))
}

fn error_text(v: &Value) -> String {
    v["error"].as_str().unwrap_or_default().to_string()
}

/// A small, quick ussr run.
const SMALL_USSR: &str = r#"{"scenario":"ussr-1928-1929","seed":3,"set":{"population.scale":"0.002","run.steps":"6"}}"#;
const SMALL_EPSTEIN: &str = r#"{"scenario":"epstein-2002","seed":2,"set":{"run.steps":"5","grid.width":"20","grid.height":"20"}}"#;

async fn create(app: &Router, body: &str) -> String {
    let (s, v) = json_of(app, "POST", "/api/runs", Some(body)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v["id"].as_str().expect("id").to_string()
}

/// Reads the run's event stream until the `done` event; returns (event, data) pairs.
async fn events_until_done(app: &Router, id: &str) -> Vec<(String, Value)> {
    let req = Request::builder().uri(format!("/api/runs/{id}/events")).body(Body::empty()).expect("request");
    let res = app.clone().oneshot(req).await.expect("response");
    assert_eq!(res.status(), StatusCode::OK);
    let ctype = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    assert!(ctype.starts_with("text/event-stream"), "{ctype}");
    let mut stream = res.into_body().into_data_stream();
    let mut text = String::new();
    let mut out = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let chunk = tokio::time::timeout_at(deadline, stream.next()).await.expect("events in time").expect("stream open").expect("chunk");
        text.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = text.find("\n\n") {
            let block: String = text.drain(..end + 2).collect();
            let mut event = String::new();
            let mut data = String::new();
            for line in block.lines() {
                if let Some(e) = line.strip_prefix("event:") {
                    event = e.trim().to_string();
                } else if let Some(d) = line.strip_prefix("data:") {
                    data.push_str(d.trim_start());
                }
            }
            if event.is_empty() {
                continue;
            }
            let v: Value = serde_json::from_str(&data).unwrap_or(Value::Null);
            let done = event == "done";
            out.push((event, v));
            if done {
                return out;
            }
        }
    }
}

#[tokio::test]
async fn serves_the_app_and_its_assets() {
    let app = app();
    let (s, body, ctype) = send(&app, "GET", "/", None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(ctype.starts_with("text/html"));
    assert!(String::from_utf8_lossy(&body).contains("uPlot.iife.min.js"));
    for path in [
        "/assets/app.js",
        "/assets/app.css",
        "/assets/vendor/uPlot.iife.min.js",
        "/assets/vendor/uPlot.min.css",
        "/assets/vendor/uPlot.LICENSE",
    ] {
        let (s, body, _) = send(&app, "GET", path, None).await;
        assert_eq!(s, StatusCode::OK, "{path}");
        assert!(!body.is_empty(), "{path}");
    }
    let (s, _, _) = send(&app, "GET", "/assets/../Cargo.toml", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _, _) = send(&app, "GET", "/assets/nope.js", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = json_of(&app, "GET", "/api/nothing", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn lists_and_describes_scenarios() {
    let app = app();
    let (s, v) = json_of(&app, "GET", "/api/scenarios", None).await;
    assert_eq!(s, StatusCode::OK);
    let list = v.as_array().expect("list");
    assert!(list.iter().any(|x| x["name"] == "ussr-1928-1929" && x["model"] == "ussr-1928"));
    assert!(list.iter().any(|x| x["name"] == "epstein-2002" && x["model"] == "epstein"));
    assert!(list.iter().all(|x| x["description"].as_str().is_some_and(|d| !d.is_empty())));

    let (s, v) = json_of(&app, "GET", "/api/scenarios/ussr-1928-1929", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["model"], "ussr-1928");
    let groups = v["groups"].as_array().expect("groups");
    assert!(groups.iter().any(|g| g["name"] == "population"));
    let params: Vec<&Value> = groups.iter().flat_map(|g| g["params"].as_array().into_iter().flatten()).collect();
    let scale = params.iter().find(|p| p["key"] == "population.scale").expect("population.scale");
    assert_eq!(scale["value"], "0.05");
    assert!(scale["kind"].as_str().is_some_and(|k| k.contains("number from")));
    assert!(scale["assumed"].is_string() && scale["source"].is_null());
    assert!(params.iter().any(|p| p["source"].is_string()), "some parameters cite a source");
    for p in &params {
        assert!(p["doc"].is_string() && p["value"].is_string() && (p["source"].is_string() != p["assumed"].is_string()), "{p}");
    }

    let (s, v) = json_of(&app, "GET", "/api/scenarios/no-such", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(error_text(&v).contains("ussr-1928-1929"));
}

#[tokio::test]
async fn a_ussr_run_streams_its_steps_and_survey_then_downloads() {
    let app = app();
    let id = create(&app, SMALL_USSR).await;
    let (s, v) = json_of(&app, "GET", &format!("/api/runs/{id}"), None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["status"], "paused");
    assert_eq!(v["steps_done"], 0);

    // One step while paused.
    let (s, _) = json_of(&app, "POST", &format!("/api/runs/{id}/control"), Some(r#"{"action":"step"}"#)).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = json_of(&app, "POST", &format!("/api/runs/{id}/control"), Some(r#"{"action":"play"}"#)).await;
    assert_eq!(s, StatusCode::OK);
    let ev = events_until_done(&app, &id).await;
    assert_eq!(ev[0].0, "meta");
    let columns = ev[0].1["columns"].as_array().expect("columns");
    assert!(columns.iter().any(|c| c == "strikes_started"));
    let steps: Vec<&Value> = ev.iter().filter(|(e, _)| e == "step").map(|(_, v)| v).collect();
    assert_eq!(steps.len(), 6);
    assert_eq!(steps[0]["date"], "1928-01-02");
    assert_eq!(steps[0]["values"].as_array().map(Vec::len), Some(columns.len()));
    let done = &ev.last().expect("done").1;
    let docs = done["documents"].as_array().expect("documents");
    assert!(docs.iter().any(|d| d["file"] == "survey.md" && d["text"].as_str().is_some_and(|t| t.len() > 20)), "{done}");

    let (s, v) = json_of(&app, "GET", &format!("/api/runs/{id}"), None).await;
    assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("done")));

    let (s, body, ctype) = send(&app, "GET", &format!("/api/runs/{id}/data.csv"), None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(ctype.starts_with("text/csv"));
    let csv = String::from_utf8_lossy(&body);
    assert!(csv.starts_with("step,date,"), "{csv}");
    assert_eq!(csv.lines().count(), 7);
    let (s, body, _) = send(&app, "GET", &format!("/api/runs/{id}/data.parquet"), None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(&body[..4], b"PAR1");
    let (s, body, ctype) = send(&app, "GET", &format!("/api/runs/{id}/documents/survey.md"), None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(ctype.starts_with("text/markdown") && !body.is_empty());
    // The HTML report of the run, from the report crate: charts of the model's groups,
    // the survey and the sources table.
    let (s, body, ctype) = send(&app, "GET", &format!("/api/runs/{id}/report.html"), None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(ctype.starts_with("text/html"));
    let html = String::from_utf8_lossy(&body);
    assert!(html.contains("<svg") && html.contains("Political survey") && html.contains("Parameters and their sources"), "{html}");
    let (s, v) = json_of(&app, "GET", &format!("/api/runs/{id}/documents/nothing.md"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(error_text(&v).contains("survey.md"), "{v}");

    // Reset starts over; the stream says so, and a replay gives the steps again.
    let (s, _) = json_of(&app, "POST", &format!("/api/runs/{id}/control"), Some(r#"{"action":"reset"}"#)).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = json_of(&app, "POST", &format!("/api/runs/{id}/control"), Some(r#"{"action":"play"}"#)).await;
    assert_eq!(s, StatusCode::OK);
    let ev2 = events_until_done(&app, &id).await;
    assert_eq!(ev2.iter().filter(|(e, _)| e == "step").count(), 6);
    let again: Vec<&Value> = ev2.iter().filter(|(e, _)| e == "step").map(|(_, v)| v).collect();
    assert_eq!(again, steps, "a reset run with the same seed repeats itself");

    let (s, _, _) = send(&app, "DELETE", &format!("/api/runs/{id}"), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = json_of(&app, "GET", &format!("/api/runs/{id}"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_epstein_run_streams_its_grid_and_pauses() {
    let app = app();
    let id = create(&app, SMALL_EPSTEIN).await;
    let (s, _) = json_of(&app, "POST", &format!("/api/runs/{id}/control"), Some(r#"{"action":"pause"}"#)).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = json_of(&app, "POST", &format!("/api/runs/{id}/control"), Some(r#"{"action":"play"}"#)).await;
    assert_eq!(s, StatusCode::OK);
    let ev = events_until_done(&app, &id).await;
    assert_eq!(ev.iter().filter(|(e, _)| e == "step").count(), 5);
    let grid = ev.iter().rev().find(|(e, _)| e == "grid").map(|(_, v)| v).expect("a grid event");
    assert_eq!(grid["width"], 20);
    let cells = grid["cells"].as_str().expect("cells");
    assert_eq!(cells.len(), 400);
    assert!(cells.chars().all(|c| ".qajc".contains(c)));
    assert!(cells.contains('c') && cells.contains('q'));
    assert_eq!(ev.last().expect("done").1["documents"].as_array().map(Vec::len), Some(0));
    let legend = grid["legend"].as_array().expect("a colour key");
    assert_eq!(legend.len(), 5);
    let (s, v) = json_of(&app, "GET", &format!("/api/runs/{id}/documents/survey.md"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    let (s, body, _) = send(&app, "GET", &format!("/api/runs/{id}/data.csv"), None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(String::from_utf8_lossy(&body).starts_with("step,quiet,active,jailed"));
}

#[tokio::test]
async fn bad_run_requests_get_4xx_with_a_message() {
    let app = app();
    let post = |body: &'static str| {
        let app = app.clone();
        async move { json_of(&app, "POST", "/api/runs", Some(body)).await }
    };
    // Unknown scenario.
    let (s, v) = post(r#"{"scenario":"ussr-1930"}"#).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_text(&v).contains("no built-in scenario"), "{v}");
    // Bad value: out of range, and of the wrong type, with the file's messages.
    let (s, v) = post(r#"{"scenario":"ussr-1928-1929","set":{"population.scale":"2"}}"#).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_text(&v).contains("from 0.0001 to 1"), "{v}");
    let (s, v) = post(r#"{"scenario":"ussr-1928-1929","set":{"run.steps":"many"}}"#).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_text(&v).contains("run.steps"), "{v}");
    let (s, _) = post(r#"{"scenario":"ussr-1928-1929","set":{"run.steps":{"a":1}}}"#).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // Unknown key, with the closest valid one.
    let (s, v) = post(r#"{"scenario":"ussr-1928-1929","set":{"population.scal":"0.01"}}"#).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_text(&v).contains("population.scale"), "{v}");
    // Malformed JSON, wrong types, unknown fields, missing content type.
    let (s, v) = post(r#"{"scenario": "#).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert!(!error_text(&v).is_empty());
    let (s, _) = post(r#"{"scenario": 5}"#).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = post(r#"{"scenario":"ussr-1928-1929","seed":-1}"#).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = post(r#"{"scenario":"ussr-1928-1929","colour":"red"}"#).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = post(r#"{"scenario":"ussr-1928-1929","delay_ms":100000}"#).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _, _) = send(&app, "POST", "/api/runs", None).await;
    assert!(s.is_client_error(), "{s}");
    // Oversized body.
    let big = format!(r#"{{"scenario":"ussr-1928-1929","set":{{"x":"{}"}}}}"#, "a".repeat(70 * 1024));
    let (s, _, _) = send(&app, "POST", "/api/runs", Some(&big)).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    // Population over the cap.
    let (s, v) = post(r#"{"scenario":"ussr-1928-1929","set":{"population.scale":"0.5"}}"#).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_text(&v).contains("at most 300000"), "{v}");
    let (s, _) = post(r#"{"scenario":"epstein-2002","set":{"grid.width":"1000","grid.height":"1000"}}"#).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = post(r#"{"scenario":"epstein-2002","set":{"run.steps":"100000"}}"#).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // Nothing above made a run.
    let (s, _) = json_of(&app, "GET", "/api/runs/1", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn unknown_runs_and_bad_controls() {
    let app = app();
    for uri in [
        "/api/runs/999",
        "/api/runs/abc",
        "/api/runs/999/events",
        "/api/runs/999/data.csv",
        "/api/runs/999/data.parquet",
        "/api/runs/999/documents/survey.md",
        "/api/runs/999/report.html",
    ] {
        let (s, v) = json_of(&app, "GET", uri, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{uri}");
        assert!(error_text(&v).contains("no run"), "{uri}: {v}");
    }
    let (s, _) = json_of(&app, "POST", "/api/runs/999/control", Some(r#"{"action":"play"}"#)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _, _) = send(&app, "DELETE", "/api/runs/999", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let id = create(&app, SMALL_EPSTEIN).await;
    let (s, v) = json_of(&app, "POST", &format!("/api/runs/{id}/control"), Some(r#"{"action":"fly"}"#)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_text(&v).contains("play, pause, step or reset"));
    let (s, _) = json_of(&app, "POST", &format!("/api/runs/{id}/control"), Some("not json")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = json_of(&app, "POST", &format!("/api/runs/{id}/control"), Some(r#"{"action":1}"#)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // The survey of a run with no steps yet.
    let ussr = create(&app, SMALL_USSR).await;
    let (s, _) = json_of(&app, "GET", &format!("/api/runs/{ussr}/documents/survey.md"), None).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = json_of(&app, "GET", &format!("/api/runs/{ussr}/report.html"), None).await;
    assert_eq!(s, StatusCode::CONFLICT);
}

#[tokio::test]
async fn caps_concurrent_runs_and_frees_finished_ones() {
    let app = app_with(Config { max_runs: 2, ..Config::default() });
    let a = create(&app, SMALL_EPSTEIN).await;
    let _b = create(&app, SMALL_EPSTEIN).await;
    let (s, v) = json_of(&app, "POST", "/api/runs", Some(SMALL_EPSTEIN)).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert!(error_text(&v).contains("at most 2 runs"));
    // A finished run makes room.
    json_of(&app, "POST", &format!("/api/runs/{a}/control"), Some(r#"{"action":"play"}"#)).await;
    events_until_done(&app, &a).await;
    let _c = create(&app, SMALL_EPSTEIN).await;
    let (s, _) = json_of(&app, "GET", &format!("/api/runs/{a}"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "the finished run was evicted");
}

#[tokio::test]
async fn population_cap_is_configurable() {
    let app = app_with(Config { max_population: 1000, ..Config::default() });
    let (s, v) = json_of(&app, "POST", "/api/runs", Some(SMALL_USSR)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_text(&v).contains("at most 1000"), "{v}");
    create(&app, SMALL_EPSTEIN).await;
}

/// One raw HTTP/1.1 exchange on a real socket, read until the server closes it.
fn http(addr: std::net::SocketAddr, request: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(60))).expect("timeout");
    stream.write_all(request.as_bytes()).expect("write");
    let mut out = String::new();
    let _ = stream.read_to_string(&mut out);
    out
}

#[tokio::test]
async fn serves_on_a_real_listener_until_told_to_stop() {
    let listener = perelom_server::bind(std::net::SocketAddr::from(([127, 0, 0, 1], 0))).await.expect("bind");
    let addr = listener.local_addr().expect("address");
    assert!(addr.ip().is_loopback());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(perelom_server::serve(listener, Config::default(), async {
        let _ = stopped.await;
    }));
    let out = tokio::task::spawn_blocking(move || http(addr, "GET /api/scenarios HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
        .await
        .expect("join");
    assert!(out.starts_with("HTTP/1.1 200"), "{out}");
    assert!(out.contains("epstein-2002"));
    // A run with a client on its event stream: the stream must not keep the server up.
    let body = SMALL_EPSTEIN;
    let create = format!(
        "POST /api/runs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let out = tokio::task::spawn_blocking(move || http(addr, &create)).await.expect("join");
    assert!(out.starts_with("HTTP/1.1 201"), "{out}");
    let listening = tokio::task::spawn_blocking(move || http(addr, "GET /api/runs/1/events HTTP/1.1\r\nHost: x\r\n\r\n"));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let _ = stop.send(());
    let result = tokio::time::timeout(Duration::from_secs(60), server).await.expect("the server stops").expect("join");
    assert_eq!(result, Ok(()));
    let events = listening.await.expect("join");
    assert!(events.contains("event: meta"), "{events}");
}

/// The status of a run is answered from the published snapshot while the stepping
/// thread is inside a long step (a 1000 x 1000 Epstein grid, about 770,000 agents):
/// several answers in a row say the step is in progress. A handler that waited for the
/// model (or for anything the thread holds during a step) would answer at most once
/// per step, and on the single thread of this test's runtime would hold up every other
/// request meanwhile.
#[tokio::test]
async fn status_is_answered_while_a_long_step_runs() {
    let app = app_with(Config { max_population: 1_000_000, ..Config::default() });
    let id = create(&app, r#"{"scenario":"epstein-2002","seed":1,"set":{"grid.width":"1000","grid.height":"1000","run.steps":"2"}}"#).await;
    let status = format!("/api/runs/{id}");
    let (s, _) = json_of(&app, "POST", &format!("/api/runs/{id}/control"), Some(r#"{"action":"step"}"#)).await;
    assert_eq!(s, StatusCode::OK);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(300);
    let mut answered_during_the_step = 0;
    while answered_during_the_step < 5 {
        let (s, v) = json_of(&app, "GET", &status, None).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(v["steps_done"], 0, "the step ended with only {answered_during_the_step} status answers during it: {v}");
        if v["stepping"] == true {
            answered_during_the_step += 1;
        }
        assert!(tokio::time::Instant::now() < deadline, "the step never started");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    // A download waits for the step to end (the stepping thread copies the table
    // between steps) without holding up anything else meanwhile.
    let download = {
        let app = app.clone();
        let uri = format!("/api/runs/{id}/data.csv");
        tokio::spawn(async move { send(&app, "GET", &uri, None).await })
    };
    let (s, v) = json_of(&app, "GET", &status, None).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = json_of(&app, "GET", "/api/scenarios", None).await;
    assert_eq!(s, StatusCode::OK);
    let (s, body, _) = download.await.expect("join");
    assert_eq!(s, StatusCode::OK);
    let csv = String::from_utf8_lossy(&body);
    assert_eq!(csv.lines().count(), 2, "a header and the one step: {csv}");
    if v["stepping"] == true {
        assert_eq!(v["steps_done"], 0);
    }
    let (_, v) = json_of(&app, "GET", &status, None).await;
    assert_eq!((v["stepping"].as_bool(), v["steps_done"].as_u64(), v["status"].as_str()), (Some(false), Some(1), Some("paused")), "{v}");
    let (s, _, _) = send(&app, "DELETE", &status, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
}

/// The explorer shows each citation with the text of its facts (from the evidence table
/// the server serves), and a value the explorer changes is uncited, as from `--set`.
#[tokio::test]
async fn facts_are_served_with_citations_and_explorer_changes_are_uncited() {
    let app = app();
    let (s, v) = json_of(&app, "GET", "/api/facts", None).await;
    assert_eq!(s, StatusCode::OK);
    let facts = v["facts"].as_array().expect("facts");
    assert_eq!(facts.len(), 40);
    assert!(facts.iter().all(|f| f["text"].as_str().is_some_and(|t| t.len() > 40)), "{v}");
    let (s, v) = json_of(&app, "GET", "/api/facts/F38", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["id"], "F38");
    assert_eq!(v["footnotes"], json!([53, 54]));
    let (s, v) = json_of(&app, "GET", "/api/facts/F99", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(error_text(&v).contains("F01 to F40"), "{v}");

    let (_, v) = json_of(&app, "GET", "/api/scenarios/ussr-1928-1929", None).await;
    let params: Vec<&Value> =
        v["groups"].as_array().expect("groups").iter().flat_map(|g| g["params"].as_array().into_iter().flatten()).collect();
    let esc = params.iter().find(|p| p["key"] == "ogpu.escalation").expect("ogpu.escalation");
    assert_eq!(esc["citation"], "source");
    assert_eq!(esc["facts"][0]["id"], "F38");
    assert!(esc["facts"][0]["text"].as_str().is_some_and(|t| t.contains("24 September 1928")), "{esc}");
    assert!(params.iter().any(|p| p["citation"] == "mechanism" && p["mechanism"].is_string() && p["assumed"].is_string()));

    // A changed value: uncited, set in the web explorer, with the baseline's citation.
    let body = r#"{"scenario":"epstein-2002","seed":2,"set":{"run.steps":"5","arrest.k":"2","legitimacy.initial":"0.8"}}"#;
    let id = create(&app, body).await;
    let (_, v) = json_of(&app, "GET", &format!("/api/runs/{id}"), None).await;
    let changes = v["changes"].as_array().expect("changes");
    let keys: Vec<&str> = changes.iter().filter_map(|c| c["key"].as_str()).collect();
    assert_eq!(keys, ["run.seed", "run.steps", "arrest.k"], "the same value (0.8) is no change: {v}");
    let k = &changes[2];
    assert_eq!(k["citation"], "uncited (no source given)");
    assert_eq!(k["set_in"], "web explorer");
    assert!(k["baseline_citation"].as_str().is_some_and(|c| c.contains("k = 2.3")), "{k}");
}

/// Polls an ensemble until it has ended; returns its last answer.
async fn ensemble_until_ended(app: &Router, id: &str) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(240);
    loop {
        let (s, v) = json_of(app, "GET", &format!("/api/ensembles/{id}"), None).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        if v["status"] != "running" {
            return v;
        }
        assert!(tokio::time::Instant::now() < deadline, "the ensemble did not end in time: {v}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The scenario's description carries the data dictionary (a label, unit and meaning
/// for every charted column), whether steps are dated, and the model's targets.
#[tokio::test]
async fn scenarios_carry_the_data_dictionary_and_the_targets() {
    let app = app();
    let (_, v) = json_of(&app, "GET", "/api/scenarios/ussr-1928-1929", None).await;
    assert_eq!(v["dated"], true);
    assert_eq!(v["validation"], "targets");
    let metrics = v["metrics"].as_array().expect("metrics");
    let started = metrics.iter().find(|m| m["name"] == "strikes_started").expect("strikes_started");
    assert_eq!(started["label"], "Strikes begun");
    assert_eq!(started["unit"], "strikes");
    assert!(started["doc"].as_str().is_some_and(|d| d.contains("F13")));
    for chart in v["charts"].as_array().expect("charts") {
        for c in chart["columns"].as_array().expect("columns") {
            let m = metrics.iter().find(|m| m["name"] == *c).unwrap_or_else(|| panic!("{c} is not in the dictionary"));
            let label = m["label"].as_str().expect("label");
            assert!(!label.is_empty() && !label.contains('_'), "{m}");
        }
    }
    let targets = v["targets"].as_array().expect("targets");
    assert!(targets.len() >= 10);
    // An open end of a range (a target of "at least 0.2") is null.
    let end = |v: &Value, open: f64| v.as_f64().unwrap_or(open);
    assert!(targets.iter().all(|t| end(&t["lo"], f64::NEG_INFINITY) <= end(&t["hi"], f64::INFINITY)));
    assert!(targets.iter().all(|t| t["id"].as_str().is_some_and(|i| i.starts_with('T'))));
    assert!(targets.iter().all(|t| t["measurable"] == true), "the baseline covers every target");

    let (_, v) = json_of(&app, "GET", "/api/scenarios/epstein-2002", None).await;
    assert_eq!((v["dated"].as_bool(), v["validation"].as_str()), (Some(false), Some("regime")));
    assert!(v["targets"].is_null());
    let labels: Vec<&str> = v["metrics"].as_array().expect("metrics").iter().filter_map(|m| m["label"].as_str()).collect();
    assert!(labels.contains(&"Citizens openly rebelling"), "{labels:?}");

    let (s, v) = json_of(&app, "GET", "/api/limits", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!((v["max_runs"].as_u64(), v["max_ensembles"].as_u64()), (Some(8), Some(2)));
}

/// Seeds beyond 2^53 (where a browser's numbers lose digits) are sent and answered as
/// strings and kept exactly: in the run, its events and its scenario file.
#[tokio::test]
async fn seeds_beyond_2_to_the_53_are_kept_exactly() {
    let app = app();
    let big = "9007199254740993"; // 2^53 + 1: a JavaScript number would make it ...992
    let body = format!(r#"{{"scenario":"epstein-2002","seed":"{big}","set":{{"run.steps":"3","grid.width":"20","grid.height":"20"}}}}"#);
    let id = create(&app, &body).await;
    let (_, v) = json_of(&app, "GET", &format!("/api/runs/{id}"), None).await;
    assert_eq!(v["seed"], big);
    json_of(&app, "POST", &format!("/api/runs/{id}/control"), Some(r#"{"action":"play"}"#)).await;
    let ev = events_until_done(&app, &id).await;
    assert_eq!(ev[0].1["seed"], big);
    let (s, body, ctype) = send(&app, "GET", &format!("/api/runs/{id}/scenario.toml"), None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(ctype.starts_with("application/toml"), "{ctype}");
    let toml = String::from_utf8(body).expect("utf-8");
    let again = perelom_models::load_scenario_text("run.toml", &toml).unwrap_or_else(|e| panic!("{e}\n{toml}"));
    assert_eq!(again.int("run.seed").to_string(), big);
    assert_eq!(again.int("run.steps"), 3);
    assert_eq!(again.int("grid.width"), 20);

    // A number within u64 is exact too; anything else is refused.
    let body = r#"{"scenario":"epstein-2002","seed":9007199254740993,"set":{"run.steps":"3"}}"#;
    let id = create(&app, body).await;
    let (_, v) = json_of(&app, "GET", &format!("/api/runs/{id}"), None).await;
    assert_eq!(v["seed"], big);
    for bad in [r#""12x""#, r#""-1""#, r#""9223372036854775808""#, r#""""#, "1.5", "true"] {
        let (s, v) = json_of(&app, "POST", "/api/runs", Some(&format!(r#"{{"scenario":"epstein-2002","seed":{bad}}}"#))).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {v}");
    }
    // Numbers that are no seed say so, as strings do (not a deserializer's message).
    for bad in ["-1", "1.5", "1e30", "18446744073709551616", "true", "[1]"] {
        let (s, v) = json_of(&app, "POST", "/api/runs", Some(&format!(r#"{{"scenario":"epstein-2002","seed":{bad}}}"#))).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {v}");
        assert!(error_text(&v).contains("is not a whole number from 0 to 9223372036854775807"), "{bad}: {v}");
    }
}

/// `GET /api/runs` lists the runs; runs created and never played are dropped after the
/// (short) unplayed timeout, while a played run stays.
#[tokio::test]
async fn runs_are_listed_and_unplayed_runs_are_evicted_soon() {
    let app = app_with(Config { unplayed_timeout: Duration::from_millis(300), max_runs: 3, ..Config::default() });
    let played = create(&app, SMALL_EPSTEIN).await;
    let idle = create(&app, SMALL_EPSTEIN).await;
    let _idle2 = create(&app, SMALL_EPSTEIN).await;
    json_of(&app, "POST", &format!("/api/runs/{played}/control"), Some(r#"{"action":"step"}"#)).await;
    let (s, v) = json_of(&app, "GET", "/api/runs", None).await;
    assert_eq!(s, StatusCode::OK);
    let runs = v["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 3);
    let r = runs.iter().find(|r| r["id"] == idle).expect("listed");
    assert_eq!((r["scenario"].as_str(), r["played"].as_bool(), r["steps"].as_u64()), (Some("epstein-2002"), Some(false), Some(5)));
    // The server is full: unplayed runs hold the slots, but only for a short while.
    let (s, _) = json_of(&app, "POST", "/api/runs", Some(SMALL_EPSTEIN)).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    tokio::time::sleep(Duration::from_millis(400)).await;
    let (_, v) = json_of(&app, "GET", "/api/runs", None).await;
    let ids: Vec<&str> = v["runs"].as_array().expect("runs").iter().filter_map(|r| r["id"].as_str()).collect();
    assert_eq!(ids, [played.as_str()]);
    let (s, _) = json_of(&app, "GET", &format!("/api/runs/{idle}"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    create(&app, SMALL_EPSTEIN).await;
    // Deleting a listed run removes it from the list.
    let (s, _, _) = send(&app, "DELETE", &format!("/api/runs/{played}"), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, v) = json_of(&app, "GET", "/api/runs", None).await;
    assert!(v["runs"].as_array().expect("runs").iter().all(|r| r["id"] != played));
}

/// Opens a run's event stream and reads it up to its `meta` event; the stream stays open
/// while the returned body lives.
async fn open_events(app: &Router, uri: &str) -> axum::body::BodyDataStream {
    let req = Request::builder().uri(uri).body(Body::empty()).expect("request");
    let res = app.clone().oneshot(req).await.expect("response");
    assert_eq!(res.status(), StatusCode::OK);
    let mut body = res.into_body().into_data_stream();
    let first = tokio::time::timeout(Duration::from_secs(30), body.next()).await.expect("an event").expect("open").expect("chunk");
    assert!(!first.is_empty());
    body
}

/// A client that leaves the event stream of an unfinished run frees it after the grace,
/// unless another client still reads it.
#[tokio::test]
async fn a_client_leaving_the_stream_frees_its_unfinished_run() {
    let app = app_with(Config { disconnect_grace: Duration::from_millis(200), ..Config::default() });
    let slow = r#"{"scenario":"epstein-2002","seed":1,"delay_ms":50,"set":{"run.steps":"500","grid.width":"20","grid.height":"20"}}"#;
    let id = create(&app, slow).await;
    let uri = format!("/api/runs/{id}/events");
    let first = open_events(&app, &uri).await;
    let second = open_events(&app, &uri).await;
    json_of(&app, "POST", &format!("/api/runs/{id}/control"), Some(r#"{"action":"play"}"#)).await;
    let (_, v) = json_of(&app, "GET", &format!("/api/runs/{id}"), None).await;
    assert_eq!(v["subscribers"], 2, "{v}");
    drop(first);
    tokio::time::sleep(Duration::from_millis(400)).await;
    let (s, v) = json_of(&app, "GET", &format!("/api/runs/{id}"), None).await;
    assert_eq!((s, v["subscribers"].as_u64()), (StatusCode::OK, Some(1)), "one reader left: the run stays");
    drop(second);
    tokio::time::sleep(Duration::from_millis(400)).await;
    let (s, _) = json_of(&app, "GET", &format!("/api/runs/{id}"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "nobody reads the unfinished run: it is freed");

    // A finished run stays for its downloads when its reader goes.
    let done = create(&app, SMALL_EPSTEIN).await;
    json_of(&app, "POST", &format!("/api/runs/{done}/control"), Some(r#"{"action":"play"}"#)).await;
    events_until_done(&app, &done).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let (s, _) = json_of(&app, "GET", &format!("/api/runs/{done}"), None).await;
    assert_eq!(s, StatusCode::OK);
}

/// An ensemble of the dated model: medians and bands of every charted column at every
/// week, and the targets table with the same means as measuring each run directly.
#[tokio::test]
async fn an_ensemble_summarises_its_runs_and_scores_the_targets() {
    let app = app();
    let body = r#"{"scenario":"ussr-1928-1929","seeds":6,"first_seed":"11","set":{"population.scale":"0.002"}}"#;
    let (s, v) = json_of(&app, "POST", "/api/ensembles", Some(body)).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    let id = v["id"].as_str().expect("id").to_string();
    let (s, v) = json_of(&app, "GET", "/api/ensembles", None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(v["ensembles"].as_array().expect("list").iter().any(|e| e["id"] == id.as_str() && e["runs"] == 6));
    let v = ensemble_until_ended(&app, &id).await;
    assert_eq!((v["status"].as_str(), v["runs_done"].as_u64(), v["first_seed"].as_str()), (Some("done"), Some(6), Some("11")), "{v}");
    let sm = &v["summary"];
    assert_eq!(sm["runs_done"], 6);
    let x = sm["x"].as_array().expect("x");
    assert_eq!((x.len(), x[0].as_str()), (104, Some("1928-01-02")));
    let (_, desc) = json_of(&app, "GET", "/api/scenarios/ussr-1928-1929", None).await;
    for chart in desc["charts"].as_array().expect("charts") {
        for c in chart["columns"].as_array().expect("columns") {
            let q = sm["series"][c.as_str().expect("name")].as_array().unwrap_or_else(|| panic!("no bands of {c}"));
            assert_eq!(q.len(), 5);
            for t in 0..104 {
                let at: Vec<f64> = q.iter().map(|s| s[t].as_f64().unwrap_or(f64::NAN)).collect();
                assert!(at.windows(2).all(|w| w[0] <= w[1]), "{c} at week {t}: quantiles out of order {at:?}");
            }
        }
    }
    // The targets as `perelom validate` scores them.
    let mut scenario =
        perelom_models::load_scenario_text("b", perelom_models::builtin("ussr-1928-1929").expect("built in").text).expect("parses");
    scenario.set("population.scale=0.002").expect("set");
    let info = perelom_models::model_of(&scenario).expect("model");
    let tg = info.targets().expect("targets");
    let seeds: Vec<u64> = (11..17).collect();
    let direct = perelom_models::run_seeds(
        &scenario,
        &seeds,
        "test",
        &|_, _| Ok::<(), perelom_scenario::ScenarioError>(()),
        &|sim, s| (tg.measure)(&sim.metrics(), sim.clock(), s),
        &|| {},
    )
    .expect("runs");
    let targets = sm["targets"].as_array().expect("targets");
    assert_eq!(targets.len(), (tg.list)().len());
    for (i, t) in targets.iter().enumerate() {
        let xs: Vec<f64> = direct.iter().filter_map(|r| r[i]).filter(|x| !x.is_nan()).collect();
        let want = xs.iter().sum::<f64>() / xs.len() as f64;
        let got = t["mean"].as_f64().unwrap_or(f64::NAN);
        assert!(xs.is_empty() && t["mean"].is_null() || (got - want).abs() <= 1e-9 * want.abs().max(1.0), "{t}: direct mean {want}");
        let result = t["result"].as_str().expect("result");
        assert!(["hit", "missed", "not measurable"].contains(&result), "{t}");
        let (lo, hi) = (t["lo"].as_f64().unwrap_or(f64::NEG_INFINITY), t["hi"].as_f64().unwrap_or(f64::INFINITY));
        let hit = t["measurable"] == true && got >= lo && got <= hi;
        assert_eq!(result == "hit", hit, "{t}");
    }
    // Its scenario file gives the first seed; an ended ensemble can be deleted.
    let (s, body, _) = send(&app, "GET", &format!("/api/ensembles/{id}/scenario.toml"), None).await;
    assert_eq!(s, StatusCode::OK);
    let text = String::from_utf8(body).expect("utf-8");
    let again = perelom_models::load_scenario_text("e.toml", &text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((again.int("run.seed"), again.float("population.scale")), (11, 0.002));
    let (s, _, _) = send(&app, "DELETE", &format!("/api/ensembles/{id}"), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = json_of(&app, "GET", &format!("/api/ensembles/{id}"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

/// An ensemble of a model without dates or targets: step numbers and the regime; its
/// event stream reports progress and summaries and ends.
#[tokio::test]
async fn an_ensemble_streams_progress_and_its_regime() {
    let app = app();
    let body = r#"{"scenario":"epstein-2002","seeds":5,"set":{"run.steps":"30","grid.width":"20","grid.height":"20"}}"#;
    let (s, v) = json_of(&app, "POST", "/api/ensembles", Some(body)).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    let id = v["id"].as_str().expect("id").to_string();
    let req = Request::builder().uri(format!("/api/ensembles/{id}/events")).body(Body::empty()).expect("request");
    let res = app.clone().oneshot(req).await.expect("response");
    let mut stream = res.into_body().into_data_stream();
    let mut text = String::new();
    while let Some(chunk) = tokio::time::timeout(Duration::from_secs(120), stream.next()).await.expect("events in time") {
        text.push_str(&String::from_utf8_lossy(&chunk.expect("chunk")));
    }
    assert!(text.contains("event: progress") && text.contains("event: summary"), "{text}");
    let end = text.rfind("event: end").expect("an end event");
    assert!(text[end..].contains(r#""status":"done""#), "{text}");
    let v = ensemble_until_ended(&app, &id).await;
    let sm = &v["summary"];
    assert_eq!(sm["x"].as_array().map(|x| x.first().cloned()), Some(Some(json!(0.0))), "{}", sm["x"]);
    assert!(sm["targets"].is_null());
    assert_eq!(sm["regime"]["event"], "outburst");
    assert_eq!(sm["regime"]["stats"].as_array().map(Vec::len), Some(5));
    assert_eq!(sm["series"]["active"].as_array().and_then(|q| q[2].as_array()).map(Vec::len), Some(30));
}

/// Ensembles are capped: runs per ensemble, work, memory, and how many run at once (429
/// with a Retry-After); a reader leaving a running ensemble cancels it after the grace.
#[tokio::test]
async fn ensembles_are_capped_and_freed() {
    let app = app_with(Config {
        max_ensembles: 1,
        max_ensemble_runs: 50,
        max_ensemble_work: 1e9,
        disconnect_grace: Duration::from_millis(200),
        ..Config::default()
    });
    let post = |body: String| {
        let app = app.clone();
        async move { json_of(&app, "POST", "/api/ensembles", Some(&body)).await }
    };
    for (body, want) in [
        (r#"{"scenario":"epstein-2002","seeds":0}"#, "from 1 to 50"),
        (r#"{"scenario":"epstein-2002","seeds":51}"#, "from 1 to 50"),
        (r#"{"scenario":"epstein-2002","seeds":50,"set":{"run.steps":"5000"}}"#, "run-steps"),
        (r#"{"scenario":"ussr-1928-1929","seeds":50,"set":{"population.scale":"0.1"}}"#, "agent-steps"),
        (r#"{"scenario":"epstein-2002","seeds":2,"first_seed":"9223372036854775807"}"#, "largest seed"),
        (r#"{"scenario":"epstein-2002","seeds":2,"set":{"legitimacy.initial":"7"}}"#, "legitimacy.initial"),
        (r#"{"scenario":"nothing","seeds":2}"#, "no built-in scenario"),
    ] {
        let (s, v) = post(body.to_string()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {v}");
        assert!(error_text(&v).contains(want), "{body}: {v}");
    }
    for body in [
        r#"{"scenario":"epstein-2002","seeds":2,"colour":1}"#,
        r#"{"scenario":"epstein-2002","seeds":"2"}"#,
        r#"{"scenario":"epstein-2002"}"#,
    ] {
        let (s, _) = post(body.to_string()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    }
    let (s, _) = post("{".to_string()).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    for uri in ["/api/ensembles/77", "/api/ensembles/x", "/api/ensembles/77/events", "/api/ensembles/77/scenario.toml"] {
        let (s, v) = json_of(&app, "GET", uri, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{uri}");
        assert!(error_text(&v).contains("no ensemble"), "{v}");
    }
    let (s, _, _) = send(&app, "DELETE", "/api/ensembles/77", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // A long ensemble holds the only place: the next gets 429 with a Retry-After.
    let long = r#"{"scenario":"ussr-1928-1929","seeds":50,"set":{"population.scale":"0.01"}}"#;
    let (s, v) = post(long.to_string()).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    let id = v["id"].as_str().expect("id").to_string();
    let req = Request::builder().method("POST").uri("/api/ensembles").header(header::CONTENT_TYPE, "application/json");
    let res = app.clone().oneshot(req.body(Body::from(long)).expect("request")).await.expect("response");
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(res.headers().get(header::RETRY_AFTER).and_then(|v| v.to_str().ok()), Some("2"));
    // Its only reader leaves: it is cancelled after the grace, and the place is free.
    let reader = open_events(&app, &format!("/api/ensembles/{id}/events")).await;
    drop(reader);
    tokio::time::sleep(Duration::from_millis(400)).await;
    let (s, _) = json_of(&app, "GET", &format!("/api/ensembles/{id}"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let small = r#"{"scenario":"epstein-2002","seeds":2,"set":{"run.steps":"5","grid.width":"20","grid.height":"20"}}"#;
    let (s, v) = post(small.to_string()).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    let v = ensemble_until_ended(&app, v["id"].as_str().expect("id")).await;
    assert_eq!(v["status"], "done");
}

/// Creates an ensemble and waits for its end; returns its summary.
async fn ensemble_summary(app: &Router, body: &str) -> Value {
    let (s, v) = json_of(app, "POST", "/api/ensembles", Some(body)).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{body}: {v}");
    let v = ensemble_until_ended(app, v["id"].as_str().expect("id")).await;
    assert_eq!(v["status"], "done", "{v}");
    v
}

/// A comparison of edits: the experiment's runs and the baseline's on the same seeds are
/// exactly the two plain ensembles, and the paired differences are `perelom compare`'s
/// (the same outcomes, the same bootstrap stream).
#[tokio::test]
async fn a_comparison_of_edits_pairs_the_runs_as_compare_does() {
    let app = app();
    let v = ensemble_summary(
        &app,
        r#"{"scenario":"epstein-2002","seeds":6,"first_seed":"3","compare":"edits","set":{"run.steps":"40","legitimacy.initial":"0.6"}}"#,
    )
    .await;
    assert_eq!(v["compare"]["kind"], "edits");
    assert!(v["compare"]["experiment"].as_str().is_some_and(|e| e.contains("legitimacy.initial") && !e.contains("run.steps")), "{v}");
    let sm = &v["summary"];
    let exp = ensemble_summary(
        &app,
        r#"{"scenario":"epstein-2002","seeds":6,"first_seed":"3","set":{"run.steps":"40","legitimacy.initial":"0.6"}}"#,
    )
    .await;
    let base = ensemble_summary(&app, r#"{"scenario":"epstein-2002","seeds":6,"first_seed":"3","set":{"run.steps":"40"}}"#).await;
    assert_eq!(sm["series"], exp["summary"]["series"]);
    assert_eq!(sm["baseline_series"], base["summary"]["series"]);
    assert_ne!(sm["series"], sm["baseline_series"]);

    // The paired differences, computed here as `perelom compare` computes them.
    let load = |set: &[&str]| {
        let mut s =
            perelom_models::load_scenario_text("e", perelom_models::builtin("epstein-2002").expect("built in").text).expect("parses");
        for a in set {
            s.set(a).expect("set");
        }
        s
    };
    let seeds: Vec<u64> = (3..9).collect();
    let outcomes = |s: &perelom_scenario::Scenario| {
        perelom_models::run_seeds(
            s,
            &seeds,
            "test",
            &|_, _| Ok::<(), perelom_scenario::ScenarioError>(()),
            &|sim, _| sim.outcomes(),
            &|| {},
        )
        .expect("runs")
    };
    let b = outcomes(&load(&["run.steps=40"]));
    let x = outcomes(&load(&["run.steps=40", "legitimacy.initial=0.6"]));
    let mut rng = perelom_engine::Streams::new(0).stream("compare.bootstrap", 0, 0);
    let paired = sm["paired"].as_array().expect("paired");
    assert_eq!(paired.len(), b[0].len());
    for (k, row) in paired.iter().enumerate() {
        assert_eq!(row["outcome"], b[0][k].0.as_str());
        let bs: Vec<f64> = b.iter().map(|r| r[k].1).collect();
        let xs: Vec<f64> = x.iter().map(|r| r[k].1).collect();
        if bs.iter().chain(&xs).any(|v| v.is_nan()) {
            assert_eq!(row["measurable"], false, "{row}");
            continue;
        }
        let p = perelom_analysis::paired(&bs, &xs, &mut rng).expect("paired");
        // Equal up to JSON's reading of decimals (serde_json may miss the last bit).
        let close = |f: &str, want: f64| row[f].as_f64().is_some_and(|g| (g - want).abs() <= 1e-12 * want.abs().max(1.0));
        assert!(close("diff", p.diff) && close("lo", p.lo) && close("hi", p.hi) && close("p_up", p.p_up), "{row}: {p:?}");
        assert_eq!(row["clear"], p.clear());
    }
    let active = paired.iter().find(|r| r["outcome"] == "active (mean)").expect("active (mean)");
    assert!(active["diff"].as_f64().is_some_and(|d| d > 0.0), "a lower legitimacy makes more citizens active: {active}");

    // Nothing to compare, an unknown experiment, an experiment of another scenario.
    for (body, want) in [
        (r#"{"scenario":"epstein-2002","seeds":2,"compare":"edits","set":{"run.steps":"40"}}"#, "nothing to compare"),
        (r#"{"scenario":"ussr-1928-1929","seeds":2,"compare":"x9"}"#, "x1-opposition-leads-strikes"),
        (r#"{"scenario":"epstein-2002","seeds":2,"compare":"x1-opposition-leads-strikes"}"#, "one of: none"),
    ] {
        let (s, v) = json_of(&app, "POST", "/api/ensembles", Some(body)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {v}");
        assert!(error_text(&v).contains(want), "{body}: {v}");
    }
}

/// A built-in experiment against the baseline: the scenario lists them; on common seeds,
/// the two agree week for week until the experiment's branch date and part after it.
#[tokio::test]
async fn a_builtin_experiment_is_compared_on_common_seeds() {
    let app = app();
    let (_, desc) = json_of(&app, "GET", "/api/scenarios/ussr-1928-1929", None).await;
    let xs = desc["experiments"].as_array().expect("experiments");
    assert_eq!(xs.len(), 5);
    let x1 = xs.iter().find(|x| x["name"] == "x1-opposition-leads-strikes").expect("X1");
    assert_eq!(x1["branch_at"], "1928-10-01");
    assert!(
        x1["title"].as_str().is_some_and(|t| t.starts_with("X1")) && x1["question"].as_str().is_some_and(|q| q.starts_with("Question"))
    );
    let (_, desc) = json_of(&app, "GET", "/api/scenarios/epstein-2002", None).await;
    assert_eq!(desc["experiments"], json!([]));

    let v = ensemble_summary(
        &app,
        r#"{"scenario":"ussr-1928-1929","seeds":3,"compare":"x1-opposition-leads-strikes","set":{"population.scale":"0.002"}}"#,
    )
    .await;
    assert_eq!((v["compare"]["kind"].as_str(), v["compare"]["branch_at"].as_str()), (Some("experiment"), Some("1928-10-01")));
    let sm = &v["summary"];
    let x: Vec<&str> = sm["x"].as_array().expect("x").iter().filter_map(Value::as_str).collect();
    let branch = x.iter().position(|d| *d >= "1928-10-01").expect("the branch date is in the run");
    let (mut same_before, mut differ_after) = (true, false);
    for (c, q) in sm["series"].as_object().expect("series") {
        let b = &sm["baseline_series"][c];
        for k in 0..5 {
            let (qe, qb) = (q[k].as_array().expect("q"), b[k].as_array().expect("q"));
            same_before &= qe[..branch - 1] == qb[..branch - 1];
            differ_after |= qe[branch..] != qb[branch..];
        }
    }
    assert!(same_before, "the same seeds give the same history before the branch");
    assert!(differ_after, "the experiment changes the future");
    assert!(sm["paired"].as_array().is_some_and(|p| p.len() > 5));
    assert!(sm["targets"].as_array().is_some_and(|t| !t.is_empty()), "the experiment's targets table");
    let (_, body, _) = send(&app, "GET", &format!("/api/ensembles/{}/scenario.toml", v["id"].as_str().expect("id")), None).await;
    let text = String::from_utf8(body).expect("utf-8");
    assert!(
        text.contains("# Compared on the same seeds with the baseline `ussr-1928-1929` (its changes: population.scale = 0.002)"),
        "{text}"
    );
    let again = perelom_models::load_scenario_text("x.toml", &text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.meta.branch_at.map(|d| d.to_string()).as_deref(), Some("1928-10-01"));
}

/// The map of a run: its model's places and, per layer, the counts per place and week,
/// which add up to the layer's metric; a model without places has no map.
#[tokio::test]
async fn a_run_maps_its_events_by_place() {
    let app = app();
    let (_, desc) = json_of(&app, "GET", "/api/scenarios/ussr-1928-1929", None).await;
    let map = &desc["map"];
    let areas = map["areas"].as_array().expect("areas");
    assert_eq!(areas.len(), 6);
    assert!(areas.iter().all(|a| a["path"].as_str().is_some_and(|p| p.starts_with('M')) && a["x"].is_number()));
    let layers = map["layers"].as_array().expect("layers");
    let id = create(&app, r#"{"scenario":"ussr-1928-1929","seed":1,"set":{"population.scale":"0.005","run.steps":"60"}}"#).await;
    let (s, v) = json_of(&app, "GET", &format!("/api/runs/{id}/areas"), None).await;
    assert_eq!((s, v["steps_done"].as_u64()), (StatusCode::OK, Some(0)), "{v}");
    json_of(&app, "POST", &format!("/api/runs/{id}/control"), Some(r#"{"action":"play"}"#)).await;
    events_until_done(&app, &id).await;
    let (s, v) = json_of(&app, "GET", &format!("/api/runs/{id}/areas"), None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!((v["steps_done"].as_u64(), v["x"][0].as_str()), (Some(60), Some("1928-01-02")));
    let (_, csv, _) = send(&app, "GET", &format!("/api/runs/{id}/data.csv"), None).await;
    let csv = String::from_utf8(csv).expect("utf-8");
    let mut lines = csv.lines();
    let head: Vec<&str> = lines.next().expect("header").split(',').collect();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let mut total = 0.0;
    for (layer, got) in layers.iter().zip(v["layers"].as_array().expect("layers")) {
        assert_eq!(layer["key"], got["key"]);
        let col = head.iter().position(|h| *h == layer["metric"].as_str().expect("metric")).expect("the layer's metric");
        let per_area = got["counts"].as_array().expect("counts");
        assert_eq!(per_area.len(), 6);
        for (step, row) in rows.iter().enumerate() {
            let sum: f64 = per_area.iter().map(|a| a[step].as_f64().unwrap_or(f64::NAN)).sum();
            assert_eq!(Some(sum), row[col].parse::<f64>().ok(), "{} at step {step}", layer["key"]);
            total += sum;
        }
    }
    assert!(total > 0.0);
    let (_, desc) = json_of(&app, "GET", "/api/scenarios/epstein-2002", None).await;
    assert!(desc["map"].is_null());
    let e = create(&app, SMALL_EPSTEIN).await;
    let (s, v) = json_of(&app, "GET", &format!("/api/runs/{e}/areas"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(error_text(&v).contains("has no map"), "{v}");
}

/// The `perelom` binary beside this test's own directory (`target/PROFILE/perelom`), which
/// `cargo test --workspace` builds before running any test.
fn perelom_binary() -> std::path::PathBuf {
    let exe = std::env::current_exe().expect("the test's path");
    let dir = exe.parent().and_then(|d| d.parent()).expect("target/PROFILE");
    let bin = dir.join(format!("perelom{}", std::env::consts::EXE_SUFFIX));
    assert!(bin.exists(), "{} is missing: build it first (cargo build --release -p perelom)", bin.display());
    bin
}

/// The files of a zip, by name.
fn unzip(bytes: &[u8]) -> std::collections::BTreeMap<String, Vec<u8>> {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a valid zip");
    let mut out = std::collections::BTreeMap::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).expect("an entry");
        let mut data = Vec::new();
        f.read_to_end(&mut data).expect("readable");
        out.insert(f.name().to_string(), data);
    }
    out
}

/// The zip of a finished run holds exactly the files `perelom run` writes for the same
/// scenario and seed, byte for byte (the manifest's account of the run's time and machine
/// aside); before the run has ended there is none.
#[tokio::test]
async fn a_run_zips_the_result_directory_perelom_run_writes() {
    let app = app();
    let id = create(&app, SMALL_USSR).await;
    let (s, v) = json_of(&app, "GET", &format!("/api/runs/{id}/results.zip"), None).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert!(error_text(&v).contains("has not run all its steps"), "{v}");
    json_of(&app, "POST", &format!("/api/runs/{id}/control"), Some(r#"{"action":"play"}"#)).await;
    events_until_done(&app, &id).await;
    let (s, bytes, ctype) = send(&app, "GET", &format!("/api/runs/{id}/results.zip"), None).await;
    assert_eq!((s, ctype.as_str()), (StatusCode::OK, "application/zip"));
    let files = unzip(&bytes);

    let dir = tempfile::tempdir().expect("a temporary directory");
    let out = dir.path().join("run");
    let status = std::process::Command::new(perelom_binary())
        .args(["run", "ussr-1928-1929", "--seed", "3", "--set", "population.scale=0.002", "--set", "run.steps=6", "--quiet", "--out"])
        .arg(&out)
        .status()
        .expect("perelom runs");
    assert!(status.success());
    let mut written: Vec<String> = std::fs::read_dir(&out)
        .expect("the result directory")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    written.sort();
    let folder = format!("ussr-1928-1929-run{id}/");
    let zipped: Vec<String> =
        files.keys().map(|n| n.strip_prefix(&folder).unwrap_or_else(|| panic!("{n} outside {folder}")).to_string()).collect();
    assert_eq!(zipped, written, "the same files as perelom run writes");
    for name in ["metrics.csv", "events.csv", "monthly.csv", "dictionary.csv", "survey.md", "scenario.toml", "manifest.json"] {
        assert!(written.iter().any(|w| w == name), "{name} in {written:?}");
    }
    for name in &written {
        let ours = &files[&format!("{folder}{name}")];
        let theirs = std::fs::read(out.join(name)).expect("readable");
        if name == "manifest.json" {
            // Everything but when, how long, on how many threads and by which build, and
            // where each value was set (here "web explorer", there "--set").
            let strip = |b: &[u8]| {
                let mut m: Value = serde_json::from_slice(b).expect("JSON");
                for k in ["started_at", "wall_seconds", "threads", "git_commit"] {
                    m.as_object_mut().expect("an object").remove(k);
                }
                for list in ["parameters", "changes"] {
                    for p in m[list].as_array_mut().expect("a list") {
                        p.as_object_mut().expect("an object").remove("set_in");
                    }
                }
                m
            };
            assert_eq!(strip(ours), strip(&theirs));
        } else {
            assert!(ours == &theirs, "{name} differs from perelom run's");
        }
    }
}

/// A month's factory events, from the run's event log: rows of the month only (by the
/// survey's rule, a week in the month of its Thursday), with counts per kind that add up;
/// a malformed month or one outside the run is refused.
#[tokio::test]
async fn a_month_lists_its_factory_events_with_counts_per_kind() {
    let app = app();
    let id = create(&app, r#"{"scenario":"ussr-1928-1929","seed":1,"set":{"population.scale":"0.005","run.steps":"20"}}"#).await;
    json_of(&app, "POST", &format!("/api/runs/{id}/control"), Some(r#"{"action":"play"}"#)).await;
    events_until_done(&app, &id).await;
    let mut seen = 0;
    for month in ["1928-01", "1928-02", "1928-03", "1928-04", "1928-05"] {
        let (s, v) = json_of(&app, "GET", &format!("/api/runs/{id}/log/{month}"), None).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!((v["month"].as_str(), v["title"].as_str()), (Some(month), Some("Factory events")));
        let cols: Vec<&str> = v["columns"].as_array().expect("columns").iter().filter_map(|c| c["name"].as_str()).collect();
        assert_eq!(&cols[..3], ["date", "factory", "region"]);
        let rows = v["rows"].as_array().expect("rows");
        assert_eq!(rows.len() as u64, v["total"].as_u64().expect("total"));
        let kinds = v["kinds"].as_array().expect("kinds");
        assert_eq!(kinds.iter().map(|k| k["events"].as_u64().unwrap_or(0)).sum::<u64>(), rows.len() as u64);
        let ev = cols.iter().position(|c| *c == "event").expect("the kind column");
        for k in kinds {
            let n = rows.iter().filter(|r| r[ev] == k["kind"]).count() as u64;
            assert_eq!(Some(n), k["events"].as_u64(), "{k}");
        }
        for r in rows {
            // A week's date is its Monday; its Thursday is in the month.
            let d = chrono::NaiveDate::parse_from_str(r[0].as_str().expect("date"), "%Y-%m-%d").expect("a date");
            let thursday = (d + chrono::Duration::days(3)).format("%Y-%m").to_string();
            assert_eq!(thursday, month, "{r}");
        }
        seen += rows.len();
    }
    assert!(seen > 0, "a run of 20 weeks has factory events");
    for (month, want) in [
        ("1928-13", StatusCode::UNPROCESSABLE_ENTITY),
        ("May", StatusCode::UNPROCESSABLE_ENTITY),
        ("1931-01", StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let (s, v) = json_of(&app, "GET", &format!("/api/runs/{id}/log/{month}"), None).await;
        assert_eq!(s, want, "{month}: {v}");
    }
    let e = create(&app, SMALL_EPSTEIN).await;
    let (s, _) = json_of(&app, "GET", &format!("/api/runs/{e}/log/1928-01"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

/// Each target says which metric columns it reads, so that the page can show it beside
/// their charts.
#[tokio::test]
async fn targets_name_the_columns_they_read() {
    let app = app();
    let (_, desc) = json_of(&app, "GET", "/api/scenarios/ussr-1928-1929", None).await;
    let names: Vec<&str> = desc["metrics"].as_array().expect("metrics").iter().filter_map(|m| m["name"].as_str()).collect();
    let targets = desc["targets"].as_array().expect("targets");
    let t1 = targets.iter().find(|t| t["id"] == "T1").expect("T1");
    assert!(t1["metrics"].as_array().is_some_and(|m| m.contains(&json!("strikes_started"))), "{t1}");
    for t in targets {
        let m = t["metrics"].as_array().expect("metrics");
        assert!(!m.is_empty() && m.iter().all(|c| c.as_str().is_some_and(|c| names.contains(&c))), "{t}");
    }
    assert_eq!(desc["dates"], json!({"first": "1928-01-02", "last": "1929-12-29"}));
    assert_eq!(desc["event_log"]["title"], "Factory events");
}

/// A comparison branched from a date picked by the user: per seed the baseline is the
/// plain baseline's run (the same as without a branch), and the experiment's series are
/// the baseline's until the branch's week; a bad date is refused with 422, and so is a
/// branch that `Checkpoint::resume` would refuse.
#[tokio::test]
async fn a_comparison_branches_at_a_picked_date() {
    let app = app();
    let set = r#""set":{"population.scale":"0.002","run.steps":"40"}"#;
    let plain = ensemble_summary(&app, &format!(r#"{{"scenario":"ussr-1928-1929","seeds":3,"first_seed":"5",{set}}}"#)).await;
    let v = ensemble_summary(
        &app,
        &format!(r#"{{"scenario":"ussr-1928-1929","seeds":3,"first_seed":"5","compare":"x1-opposition-leads-strikes","branch_at":"1928-05-07",{set}}}"#),
    )
    .await;
    let c = &v["compare"];
    assert_eq!((c["branch_at"].as_str(), c["default_branch_at"].as_str()), (Some("1928-05-07"), Some("1928-10-01")), "{c}");
    assert_eq!(c["branch_week"], "1928-05-07");
    let sm = &v["summary"];
    assert_eq!(sm["baseline_series"], plain["summary"]["series"], "the branched comparison's baseline is the plain baseline");
    let x: Vec<&str> = sm["x"].as_array().expect("x").iter().filter_map(Value::as_str).collect();
    let branch = x.iter().position(|d| *d == "1928-05-07").expect("the branch's week");
    let (mut same_before, mut differ_after) = (true, false);
    for (col, q) in sm["series"].as_object().expect("series") {
        let b = &sm["baseline_series"][col];
        for k in 0..5 {
            let (qe, qb) = (q[k].as_array().expect("q"), b[k].as_array().expect("q"));
            same_before &= qe[..branch] == qb[..branch];
            differ_after |= qe[branch..] != qb[branch..];
        }
    }
    assert!(same_before, "before the branch the experiment is the baseline");
    assert!(differ_after, "after the branch the experiment's own parameters act");
    let id = v["id"].as_str().expect("id");
    let (_, body, _) = send(&app, "GET", &format!("/api/ensembles/{id}/scenario.toml"), None).await;
    let text = String::from_utf8(body).expect("utf-8");
    assert!(text.contains("# Branched from the baseline's own run on 1928-05-07"), "{text}");
    let again = perelom_models::load_scenario_text("x.toml", &text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.meta.branch_at.map(|d| d.to_string()).as_deref(), Some("1928-05-07"));
    // The two downloads reproduce the comparison on the command line: its baseline's series
    // are the ensemble's, and `perelom compare` accepts the pair (same scale, horizon, seeds).
    let (s, base_body, _) = send(&app, "GET", &format!("/api/ensembles/{id}/baseline.toml"), None).await;
    assert_eq!(s, StatusCode::OK);
    let base_text = String::from_utf8(base_body).expect("utf-8");
    assert!(text.contains("# Reproduce with: perelom compare ") && text.contains("-baseline.toml"), "{text}");
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("base.toml"), &base_text).expect("write");
    std::fs::write(dir.path().join("exp.toml"), &text).expect("write");
    let o = std::process::Command::new(perelom_binary())
        .current_dir(dir.path())
        .args(["compare", "base.toml", "exp.toml", "--runs", "3", "-q"])
        .output()
        .expect("perelom runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("common seeds 5"), "{}", String::from_utf8_lossy(&o.stdout));
    let (s, _, _) = send(&app, "GET", &format!("/api/ensembles/{}/baseline.toml", plain["id"].as_str().expect("id")), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "a plain ensemble has no baseline file");

    // The first day is a run from the start.
    let (s, v) = json_of(
        &app,
        "POST",
        "/api/ensembles",
        Some(r#"{"scenario":"ussr-1928-1929","seeds":1,"compare":"x1-opposition-leads-strikes","branch_at":"1928-01-02","set":{"population.scale":"0.002","run.steps":"10"}}"#),
    )
    .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    let v = ensemble_until_ended(&app, v["id"].as_str().expect("id")).await;
    assert_eq!((v["compare"]["branch_step"].clone(), v["status"].as_str()), (Value::Null, Some("done")), "{v}");

    let small = r#""set":{"population.scale":"0.002","run.steps":"40"}"#;
    for (extra, want) in [
        (r#""compare":"x1-opposition-leads-strikes","branch_at":"1928-5-10""#, "is not a date"),
        (r#""compare":"x1-opposition-leads-strikes","branch_at":"tomorrow""#, "is not a date"),
        (r#""compare":"x1-opposition-leads-strikes","branch_at":"1927-12-31""#, "lies outside the run"),
        (r#""compare":"x1-opposition-leads-strikes","branch_at":"1929-01-01""#, "lies outside the run"),
        (r#""branch_at":"1928-05-10""#, "needs a comparison"),
        // Inside a week: refused with the nearest first days of a week, not moved silently.
        (
            r#""compare":"x1-opposition-leads-strikes","branch_at":"1928-05-10""#,
            "the nearest first days of a step are 1928-05-07 and 1928-05-14",
        ),
    ] {
        let body = format!(r#"{{"scenario":"ussr-1928-1929","seeds":2,{extra},{small}}}"#);
        let (s, v) = json_of(&app, "POST", "/api/ensembles", Some(&body)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {v}");
        assert!(error_text(&v).contains(want), "{body}: {v}");
    }
    // Refusals of Checkpoint::resume: a parameter read only when the run is built, and a
    // dated event moved before the branch.
    let (s, v) = json_of(
        &app,
        "POST",
        "/api/ensembles",
        Some(r#"{"scenario":"ussr-1928-1929","seeds":2,"compare":"edits","branch_at":"1928-05-07","set":{"population.scale":"0.002","run.steps":"40","protest.threshold_mean":"0.5"}}"#),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(error_text(&v).contains("cannot change at a branch"), "{v}");
    let (s, v) = json_of(
        &app,
        "POST",
        "/api/ensembles",
        Some(r#"{"scenario":"ussr-1928-1929","seeds":2,"compare":"edits","branch_at":"1928-05-07","set":{"population.scale":"0.002","run.steps":"40","rent.rise_date":"1928-03-01"}}"#),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(error_text(&v).contains("lies before the branch"), "{v}");
}
