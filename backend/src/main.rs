//! `sspr-backend`: runs the local reference report backend on 127.0.0.1 (see backend/README.md).
//! Its first line of standard output is `listening on http://127.0.0.1:PORT`; the rest goes to stderr.

use std::io::Write;
use std::path::PathBuf;

use sspr_backend::{start, Config, Tenant};
use sspr_insights::model::sample::SampleSpec;
use sspr_insights::model::time::parse_time;

const USAGE: &str = "\
usage: sspr-backend [options]

data (default: the sample tenant in public/sample)
  --data DIR              serve DIR/userRegistrationDetails.json and DIR/userEventsSummary.json
                          (and DIR/directoryAudits.json, the audit log, when it is there)
  --users N --events N    serve a generated tenant of this size (also --days N, --seed N,
                          --audit-rows N: rows of its audit log, default 3000)
  --as-of now|TIME        the generated tenant's newest time (default 2026-11-20T14:30:00Z)

server
  --port N                port on 127.0.0.1 (default 8081; 0 picks a free one)
  --token T               the bearer token accepted (default dev-token)
  --no-token              accept requests without a token
  --forbidden-token T     a token answered with 403 Authorization_RequestDenied
  --accept-unsigned-jwt   also accept any unexpired JWT, judged by its wids like Graph (403 without a reading role)
  --allow-origin O        CORS origin allowed (repeat for more; * for any;
                          default http://127.0.0.1:8080 and http://localhost:8080)
  --users-page-size N     default $top of userRegistrationDetails (default 100)

faults (also switchable at run time: POST /_faults with X-SSPR-Control: 1 and a JSON body)
  --throttle N            the next N report requests answer 429 with Retry-After
  --unavailable N         the next N report requests answer 503 with Retry-After
  --retry-after S         seconds in Retry-After (default 1)
  --omit-retry-after      send no Retry-After
  --slow-ms MS            delay every page by MS milliseconds
  --truncate N            cut the next N pages in the middle
  --foreign-next-link     next links point to another origin
  --forbidden             every report request answers 403
  --forbidden-audit       only the audit log answers 403 (a token without AuditLog.Read.All)";

/// The generated tenant's spec, created at the first flag that asks for one.
fn sample(spec: &mut Option<SampleSpec>) -> &mut SampleSpec {
    spec.get_or_insert_with(SampleSpec::bundled)
}

enum Data {
    Dir(PathBuf),
    Generated(SampleSpec),
}

struct Options {
    data: Data,
    config: Config,
    help: bool,
}

fn parse(args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut config = Config::default();
    let mut dir = None;
    let mut spec: Option<SampleSpec> = None;
    let mut origins_given = false;
    let mut help = false;
    let mut args = args.flat_map(|arg| match arg.split_once('=') {
        Some((flag, value)) if flag.starts_with("--") => vec![flag.to_string(), value.to_string()],
        _ => vec![arg],
    });
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        macro_rules! number {
            () => {{
                let text = value()?;
                text.parse()
                    .map_err(|_| format!("{flag} needs a number, not '{text}'"))?
            }};
        }
        match flag.as_str() {
            "-h" | "--help" => help = true,
            "--data" => dir = Some(PathBuf::from(value()?)),
            "--users" => sample(&mut spec).users = number!(),
            "--events" => sample(&mut spec).events = number!(),
            "--days" => sample(&mut spec).days = number!(),
            "--seed" => sample(&mut spec).seed = number!(),
            "--audit-rows" => sample(&mut spec).audit_rows = number!(),
            "--as-of" => {
                let text = value()?;
                sample(&mut spec).as_of = if text == "now" {
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map(|d| d.as_secs() as i64 * 1000)
                        .unwrap_or(0)
                } else {
                    parse_time(&text).ok_or(format!("--as-of: '{text}' is not a time"))?
                };
            }
            "--port" => config.port = number!(),
            "--token" => config.switches.token = Some(value()?).filter(|t| !t.is_empty()),
            "--no-token" => config.switches.token = None,
            "--forbidden-token" => config.switches.forbidden_token = Some(value()?),
            "--accept-unsigned-jwt" => config.switches.accept_unsigned_jwt = true,
            "--allow-origin" => {
                if !origins_given {
                    config.switches.allow_origins.clear();
                    origins_given = true;
                }
                config.switches.allow_origins.push(value()?);
            }
            "--users-page-size" => config.users_page_size = number!(),
            "--throttle" => config.switches.throttle = number!(),
            "--unavailable" => config.switches.unavailable = number!(),
            "--retry-after" => config.switches.retry_after = number!(),
            "--omit-retry-after" => config.switches.omit_retry_after = true,
            "--slow-ms" => config.switches.slow_ms = number!(),
            "--truncate" => config.switches.truncate = number!(),
            "--foreign-next-link" => config.switches.foreign_next_link = true,
            "--forbidden" => config.switches.forbidden = true,
            "--forbidden-audit" => config.switches.forbidden_audit = true,
            other => return Err(format!("unknown option {other}")),
        }
    }
    let data = match (dir, spec) {
        (Some(_), Some(_)) => {
            return Err(
                "--data and a generated tenant (--users, --events, …) exclude each other"
                    .to_string(),
            )
        }
        (Some(dir), None) => Data::Dir(dir),
        (None, Some(spec)) => {
            if spec.users == 0 && spec.events > 0 {
                return Err("a generated tenant with events needs at least one user".to_string());
            }
            Data::Generated(spec)
        }
        (None, None) => Data::Dir(sspr_backend::default_data_dir()),
    };
    Ok(Options { data, config, help })
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let options = match parse(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("sspr-backend: {message}\n\n{USAGE}");
            std::process::exit(2);
        }
    };
    if options.help {
        println!("{USAGE}");
        return;
    }
    let tenant = match &options.data {
        Data::Dir(dir) => Tenant::from_dir(dir),
        Data::Generated(spec) => Tenant::generated(spec),
    };
    let tenant = match tenant {
        Ok(tenant) => tenant,
        Err(message) => {
            eprintln!("sspr-backend: {message}");
            std::process::exit(1);
        }
    };
    let description = tenant.description.clone();
    let switches = options.config.switches.clone();
    let server = match start(tenant, options.config).await {
        Ok(server) => server,
        Err(e) => {
            eprintln!("sspr-backend: cannot listen on 127.0.0.1: {e}");
            std::process::exit(1);
        }
    };
    let url = server.url();
    println!("listening on {url}");
    let _ = std::io::stdout().flush();
    eprintln!("sspr-backend: serving {description}");
    eprintln!("sspr-backend: base URLs {url}/beta and {url}");
    match &switches.token {
        Some(token) => eprintln!("sspr-backend: bearer token '{token}'"),
        None => eprintln!("sspr-backend: no token needed"),
    }
    eprintln!(
        "sspr-backend: CORS origins {}; switches at {url}/_faults (header X-SSPR-Control: 1), \
         request log at {url}/_requests",
        switches.allow_origins.join(", ")
    );
    if let Err(e) = server.wait().await {
        eprintln!("sspr-backend: {e}");
        std::process::exit(1);
    }
}
