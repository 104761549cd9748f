//! Fan-out slot search across a region of 50 services, each answering after 300 ms (provider-sim
//! latency), over real HTTP on loopback. Beside it, the floor: the same desk asking one service.
//! Targets: every result within 450 ms, the first streamed before the slowest service answers;
//! and with 10 of the 50 never answering in time, the other 40 still reported within 450 ms.
//! `bash ../tests/with-keyring.sh cargo bench -p booking-engine --bench fan_out` (the desk's
//! audit key is in the keyring); tests/PERFORMANCE.md keeps the numbers.

#[path = "../tests/support/harness.rs"]
mod harness;

// The allocator the desk's binaries use (see their `main.rs`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::time::{Duration, Instant};

use booking_engine::Engine;
use booking_engine::config::DeskConfig;
use booking_engine::error::ErrorKind;
use booking_engine::ids::ServiceId;
use booking_engine::search::{SearchEvent, SearchRequest, ServiceProgress};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};
use provider_sim::{RunningSim, ServiceEntry, SimOptions};

const SERVICES: usize = 50;
const TIMING_OUT: usize = 10;
const LATENCY_MS: u64 = 300;
/// The desk's whole-request limit in this region: the services that time out take this long.
const TIMEOUT_SECS: u64 = 1;

/// `n` copies of the hosted services of `sim`, in turn, under ids of their own. Only services
/// that need no platform token are taken when `plain` (a second simulator's platform is not
/// the one the desk's configuration names).
fn copies(sim: &RunningSim, n: usize, prefix: &str, plain: bool) -> Vec<ServiceEntry> {
    let hosted: Vec<ServiceEntry> = sim
        .services()
        .into_iter()
        .filter(|s| !plain || s.standard != "bars")
        .collect();
    (0..n)
        .map(|i| {
            let mut s = hosted[i % hosted.len()].clone();
            s.id = format!("{prefix}-{i}-{}", s.id);
            s.name = format!("{} ({prefix} {i})", s.name);
            s
        })
        .collect()
}

/// Threads whose name starts so are the simulators'; every other thread is the desk's.
const SIM_THREADS: &str = "provider-sim";

struct Region {
    /// Keeps the simulators serving (on threads of their own) and the configuration's folder
    /// alive.
    _sims: (RunningSim, RunningSim, tokio::runtime::Runtime),
    _dir: tempfile::TempDir,
    engine: Engine,
    answering: Vec<ServiceId>,
    timing_out: Vec<ServiceId>,
}

async fn region() -> Region {
    let latency = |ms| SimOptions {
        latency_ms: Some((ms, ms)),
        // The services' day is the tests' fixed instant, as the desk's is.
        start_at: Some(harness::test_instant()),
        ..SimOptions::default()
    };
    // The simulators answer on a runtime of their own, so their CPU time can be told apart
    // from the desk's: on two cores they compete, where real services would not.
    let sim_rt = tokio::runtime::Builder::new_multi_thread()
        .thread_name(SIM_THREADS)
        .enable_all()
        .build()
        .expect("runtime");
    let fast = sim_rt
        .spawn(provider_sim::start(latency(LATENCY_MS)))
        .await
        .expect("joins")
        .expect("simulator");
    let slow = sim_rt
        .spawn(provider_sim::start(latency(TIMEOUT_SECS * 1000 * 5)))
        .await
        .expect("joins")
        .expect("simulator");
    let mut listed = copies(&fast, SERVICES, "region", false);
    listed.extend(copies(&slow, TIMING_OUT, "silent", true));
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bookdesk.toml");
    fast.write_config(&path).expect("config");
    std::fs::write(
        dir.path().join("services.toml"),
        fast.services_toml_listing(&listed),
    )
    .expect("services");
    let mut text = std::fs::read_to_string(&path).expect("config");
    text.push_str(&format!("\n[http]\ntimeout_secs = {TIMEOUT_SECS}\n"));
    std::fs::write(&path, text).expect("config");
    let config = DeskConfig::load(&path).expect("config loads");
    let engine = harness::open_desk(&fast, &config).await;
    let ids = |range: std::ops::Range<usize>| -> Vec<ServiceId> {
        listed[range]
            .iter()
            .map(|s| ServiceId::parse(&s.id).expect("id"))
            .collect()
    };
    Region {
        answering: ids(0..SERVICES),
        timing_out: ids(SERVICES..SERVICES + TIMING_OUT),
        _sims: (fast, slow, sim_rt),
        _dir: dir,
        engine,
    }
}

/// When things happened in one search, from its start.
#[derive(Debug, Default)]
struct Timeline {
    first_slots: Option<Duration>,
    /// The last of the services expected to answer reported.
    answering_done: Option<Duration>,
    finished: Option<Duration>,
    found: usize,
    timed_out: usize,
}

/// Runs one search over `services`, noting when the first slots arrived and when every service
/// in `answering` had reported. Stops listening there unless `to_the_end`.
async fn search(
    engine: &Engine,
    services: Vec<ServiceId>,
    answering: &[ServiceId],
    to_the_end: bool,
) -> Timeline {
    let started = Instant::now();
    let mut rx = engine.search(SearchRequest {
        services,
        window: harness::this_week(),
        channel: None,
    });
    let mut t = Timeline::default();
    let mut waiting = answering.len();
    while let Some(event) = rx.recv().await {
        match event {
            SearchEvent::Slots { .. } => {
                t.first_slots.get_or_insert(started.elapsed());
            }
            SearchEvent::Progress {
                service_id,
                progress,
                ..
            } => {
                match &progress {
                    ServiceProgress::Searching => continue,
                    ServiceProgress::Found { .. } => t.found += 1,
                    ServiceProgress::Failed { error } if error.kind == ErrorKind::Timeout => {
                        t.timed_out += 1
                    }
                    _ => {}
                }
                if answering.contains(&service_id) {
                    waiting -= 1;
                    if waiting == 0 {
                        t.answering_done = Some(started.elapsed());
                        if !to_the_end {
                            break;
                        }
                    }
                }
            }
            SearchEvent::Finished => {
                t.finished = Some(started.elapsed());
                break;
            }
        }
    }
    t
}

/// CPU time (user and system) so far of this process's threads: (the desk's, the simulators').
fn cpu_split() -> (Duration, Duration) {
    // Linux clock ticks are 1/100 s; sums over many searches make that fine enough.
    let tick = Duration::from_millis(10);
    let (mut desk, mut sim) = (Duration::ZERO, Duration::ZERO);
    for task in std::fs::read_dir("/proc/self/task")
        .expect("threads")
        .flatten()
    {
        let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else {
            continue; // the thread has ended
        };
        // "tid (name) state ..." with utime and stime the 14th and 15th fields.
        let Some((head, rest)) = stat.rsplit_once(") ") else {
            continue;
        };
        let name = head.split_once(" (").map_or("", |(_, n)| n);
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks: u32 = [11, 12]
            .iter()
            .filter_map(|&i| fields.get(i)?.parse::<u32>().ok())
            .sum();
        if name.starts_with(SIM_THREADS) {
            sim += tick * ticks;
        } else {
            desk += tick * ticks;
        }
    }
    (desk, sim)
}

type Pick = fn(&Timeline) -> Option<Duration>;

/// One benchmark: a search per iteration, timed to the moment `pick` names.
fn measure(
    group: &mut BenchmarkGroup<'_, WallTime>,
    rt: &tokio::runtime::Runtime,
    engine: &Engine,
    name: &str,
    services: &[ServiceId],
    answering: &[ServiceId],
    pick: Pick,
) {
    group.bench_function(name, |b| {
        b.iter_custom(|n| {
            (0..n)
                .map(|_| {
                    let t = rt.block_on(search(engine, services.to_vec(), answering, false));
                    pick(&t).expect("measured")
                })
                .sum()
        })
    });
}

fn fan_out(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let r = rt.block_on(region());
    let all: Vec<ServiceId> = r.answering.clone();
    let mut with_silent: Vec<ServiceId> = r.answering[..SERVICES - TIMING_OUT].to_vec();
    with_silent.extend(r.timing_out.iter().cloned());
    let on_time = &r.answering[..SERVICES - TIMING_OUT];

    // Once through each to the end, as a check that the benchmark measures what it says: the
    // BaRS token is fetched and connections are opened here too, as on a desk already at work.
    let whole = rt.block_on(search(&r.engine, all.clone(), &all, true));
    assert_eq!(
        whole.found, SERVICES,
        "every service offers slots: {whole:?}"
    );
    let silent = rt.block_on(search(&r.engine, with_silent.clone(), on_time, true));
    assert_eq!(silent.found, SERVICES - TIMING_OUT, "{silent:?}");
    assert_eq!(silent.timed_out, TIMING_OUT, "{silent:?}");
    println!("one search of {SERVICES} services: {whole:?}");
    println!("one search with {TIMING_OUT} timing out: {silent:?}");
    // Where the time over the 300 ms goes: each side's CPU for a whole search.
    let searches = 20;
    let (desk_before, sim_before) = cpu_split();
    for _ in 0..searches {
        rt.block_on(search(&r.engine, all.clone(), &all, true));
    }
    let (desk_after, sim_after) = cpu_split();
    println!(
        "CPU per search of {SERVICES} services (mean of {searches}): desk {:?}, simulator {:?}",
        (desk_after - desk_before) / searches,
        (sim_after - sim_before) / searches
    );

    let mut group = c.benchmark_group(format!("search {SERVICES} services at {LATENCY_MS} ms"));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(8));
    let one = [all[0].clone()];
    measure(
        &mut group,
        &rt,
        &r.engine,
        "floor: one service",
        &one,
        &one,
        |t| t.answering_done,
    );
    let mut measure = |name: &str, services: &[ServiceId], answering: &[ServiceId], pick: Pick| {
        measure(&mut group, &rt, &r.engine, name, services, answering, pick)
    };
    measure("desk: first slots of 50", &all, &all, |t| t.first_slots);
    measure("desk: all 50 answered", &all, &all, |t| t.answering_done);
    measure(
        "desk: first slots, 10 of 50 timing out",
        &with_silent,
        on_time,
        |t| t.first_slots,
    );
    measure(
        "desk: the 40 answering, 10 of 50 timing out",
        &with_silent,
        on_time,
        |t| t.answering_done,
    );
    group.finish();
}

criterion_group!(benches, fan_out);
criterion_main!(benches);
