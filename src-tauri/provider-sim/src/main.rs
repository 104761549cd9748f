//! `provider-sim`: runs the simulated provider until Ctrl-C or SIGTERM.

use clap::Parser;
use provider_sim::{SimOptions, SimTls, start};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "provider-sim",
    version,
    about = "Simulated GP Connect, UEC Booking and BaRS providers for Booking Desk"
)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Write bookdesk.toml here (and services.toml beside it) pointing at this simulator.
    #[arg(long, value_name = "FILE")]
    write_config: Option<PathBuf>,
    /// Answer every FHIR request after a random time in this range, e.g. 50..400 (reads are
    /// worked out within it; writes wait first).
    #[arg(long, value_name = "MIN..MAX", value_parser = parse_latency)]
    latency_ms: Option<(u64, u64)>,
    /// Fraction of FHIR requests answered 500 without doing anything.
    #[arg(long, default_value_t = 0.0, value_parser = parse_rate)]
    fail_rate: f64,
    /// Fraction of bookings and updates whose connection is dropped after they commit.
    #[arg(long, default_value_t = 0.0, value_parser = parse_rate)]
    drop_after_commit_rate: f64,
    /// Fraction of GET responses sent as truncated JSON.
    #[arg(long, default_value_t = 0.0, value_parser = parse_rate)]
    malformed_rate: f64,
    /// Keep appointments in this JSON file across restarts.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// Seed for the fault injection dice.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Run the region from this instant (RFC 3339, e.g. 2027-10-31T00:30:00Z) instead of the
    /// computer's clock; time runs on from there.
    #[arg(long, value_name = "INSTANT")]
    start_at: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// Serve HTTPS with this certificate chain (PEM); needs --tls-key.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The private key (PEM) of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Require client certificates issued by this CA (PEM): mutual TLS.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    client_ca: Option<PathBuf>,
    /// Also serve a large GP practice (moor-road-health-centre): about 5,000 free slots in a
    /// fortnight, for benchmarks.
    #[arg(long)]
    large_practice: bool,
}

fn parse_latency(s: &str) -> Result<(u64, u64), String> {
    let (a, b) = s.split_once("..").unwrap_or((s, s));
    let a: u64 = a
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not MIN..MAX"))?;
    let b: u64 = b
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not MIN..MAX"))?;
    if a > b {
        return Err(format!("'{s}': MIN is larger than MAX"));
    }
    Ok((a, b))
}

fn parse_rate(s: &str) -> Result<f64, String> {
    let r: f64 = s.parse().map_err(|_| format!("'{s}' is not a number"))?;
    if (0.0..=1.0).contains(&r) {
        Ok(r)
    } else {
        Err(format!("'{s}' must be between 0 and 1"))
    }
}

async fn terminated() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();

    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => match SimTls::from_files(cert, key, args.client_ca.as_deref()) {
            Ok(tls) => Some(tls),
            Err(e) => {
                eprintln!("provider-sim: {e}");
                return std::process::ExitCode::FAILURE;
            }
        },
        // clap insists on both or neither.
        _ => None,
    };
    let opts = SimOptions {
        listen: args.listen,
        latency_ms: args.latency_ms,
        fail_rate: args.fail_rate,
        drop_after_commit_rate: args.drop_after_commit_rate,
        malformed_rate: args.malformed_rate,
        state_file: args.state,
        seed: args.seed,
        tls,
        start_at: args.start_at.map(|t| t.with_timezone(&chrono::Utc)),
        large_practice: args.large_practice,
    };
    let sim = match start(opts).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("provider-sim: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    if let Some(path) = &args.write_config
        && let Err(e) = sim.write_config(path)
    {
        eprintln!("provider-sim: cannot write {}: {e}", path.display());
        return std::process::ExitCode::FAILURE;
    }
    // The URL goes out only once the config is on disk, so whoever reads it can use both.
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{}", sim.base_url())
        .and_then(|_| out.flush())
        .is_err()
    {
        return std::process::ExitCode::FAILURE;
    }
    drop(out);

    terminated().await;
    tracing::info!("shutting down");
    sim.shutdown().await;
    std::process::ExitCode::SUCCESS
}
