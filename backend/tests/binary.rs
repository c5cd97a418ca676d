//! The `sspr-backend` binary as `make serve-backend` and the browser tests run it: it prints its
//! address first, serves what its flags say, and rejects bad flags.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Kills the child when the test ends, whatever happens.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the binary and reads the port from its first line of output.
fn spawn(args: &[&str]) -> (Running, u16) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sspr-backend"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().unwrap();
    let running = Running(child);
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = send.send(line);
    });
    let line = receive
        .recv_timeout(Duration::from_secs(60))
        .expect("the first line comes in time");
    let port = line
        .trim()
        .strip_prefix("listening on http://127.0.0.1:")
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
        .parse()
        .unwrap();
    (running, port)
}

#[tokio::test]
async fn the_binary_prints_its_address_first_and_serves_its_flags() {
    let (_running, port) = spawn(&[
        "--port",
        "0",
        "--users",
        "30",
        "--events",
        "120",
        "--no-token",
        "--throttle=1",
        "--allow-origin",
        "http://127.0.0.1:5173",
    ]);
    let path = "/reports/authenticationMethods/userRegistrationDetails?$top=1000";
    let origin = [("Origin", "http://127.0.0.1:5173")];
    let throttled = common::send(port, "GET", path, &origin, "").await;
    assert_eq!(throttled.status, 429);
    let reply = common::send(port, "GET", path, &origin, "").await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some("http://127.0.0.1:5173")
    );
    assert_eq!(reply.json()["value"].as_array().unwrap().len(), 30);
}

#[test]
fn bad_flags_are_refused_with_the_usage() {
    for args in [
        &["--nope"][..],
        &["--port", "x"],
        &["--data", "/tmp", "--users", "5"],
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_sspr-backend"))
            .args(args)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&output.stderr).contains("usage: sspr-backend"));
    }
}
