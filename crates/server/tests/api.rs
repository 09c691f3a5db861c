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
