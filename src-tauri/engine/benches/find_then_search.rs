//! From "find services" to the first slots (issue 20): the Directory of Services searched for a
//! triage outcome, each bookable service's endpoint looked up in SDS, then the fan-out slot
//! search of what was found — beside the floor, the same search of the same services with
//! their endpoints already known. Over real HTTP to provider-sim on loopback, its services
//! answering after 300 ms (its DoS and SDS answer at once: their own latency is not simulated).
//! `bash ../tests/with-keyring.sh cargo bench -p booking-engine --bench find_then_search`;
//! tests/PERFORMANCE.md keeps the numbers.

#[path = "../tests/support/harness.rs"]
mod harness;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use booking_engine::Engine;
use booking_engine::directory::Directory;
use booking_engine::ids::ServiceId;
use booking_engine::national::dos::{Age, CareNeed, Sex};
use booking_engine::national::find::HowBooked;
use booking_engine::search::{SearchEvent, SearchRequest};
use criterion::{Criterion, criterion_group, criterion_main};
use provider_sim::SimOptions;

const LATENCY_MS: u64 = 300;

fn need() -> CareNeed {
    CareNeed {
        postcode: provider_sim::national_cases().search_postcode.into(),
        age: Age::Years(44),
        sex: Sex::Female,
        disposition: Some(1006),
        symptom_group: Some(1010),
        symptom_discriminators: vec![4003],
        search_distance_km: None,
        surgery: Some("B86001".into()),
        search_at: None,
    }
}

/// Time from the search's start to its first slots.
async fn first_slots(engine: &Engine, services: Vec<ServiceId>, started: Instant) -> Duration {
    let mut rx = engine.search(SearchRequest {
        services,
        window: harness::this_week(),
        channel: None,
    });
    while let Some(event) = rx.recv().await {
        match event {
            SearchEvent::Slots { .. } => return started.elapsed(),
            SearchEvent::Finished => break,
            _ => {}
        }
    }
    panic!("the search found no slots");
}

/// The bookable services the DoS returned, endpoints looked up for `patient`.
async fn find(engine: &Engine, patient: &str) -> Vec<ServiceId> {
    engine
        .find_services(&need(), Some(patient))
        .await
        .expect("DoS answers")
        .services
        .into_iter()
        .filter_map(|o| match o.booking {
            HowBooked::Book { service_id, .. } => Some(service_id),
            _ => None,
        })
        .collect()
}

fn find_then_search(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (h, engine) = rt.block_on(async {
        let h = harness::start(SimOptions {
            latency_ms: Some((LATENCY_MS, LATENCY_MS)),
            ..SimOptions::default()
        })
        .await;
        // Nothing configured: every service comes from the directories.
        let mut config = h.config.clone();
        config.directory = Directory::new(Vec::new()).expect("empty");
        let engine = harness::open_desk(&h.sim, &config).await;
        (h, engine)
    });
    // Once through, as a desk at work: the platform token fetched, connections open.
    let known = rt.block_on(find(&engine, "warm-up"));
    assert!(
        known.len() >= 4,
        "the DoS returns bookable services: {known:?}"
    );
    println!("bookable services the DoS returned: {}", known.len());
    rt.block_on(first_slots(&engine, known.clone(), Instant::now()));

    let mut group = c.benchmark_group("find_then_search");
    group.sample_size(20);
    group.bench_function("floor: search the found services, endpoints known", |b| {
        b.iter_custom(|n| {
            (0..n)
                .map(|_| rt.block_on(first_slots(&engine, known.clone(), Instant::now())))
                .sum()
        })
    });
    // A new sign-in each time: nothing found before is known, and SDS is asked afresh for
    // each service and interaction, as at the start of a call.
    let user = h.config.session().expect("session").user;
    let call = AtomicU64::new(0);
    // Each iteration: a fresh sign-in and a new patient; the search after finding, or not.
    let fresh_find = |search_after: bool| {
        let fresh = engine.desk().sign_in(user.clone()).expect("signed in");
        let patient = format!("patient-{}", call.fetch_add(1, Ordering::Relaxed));
        rt.block_on(async {
            let started = Instant::now();
            let found = find(&fresh, &patient).await;
            if search_after {
                first_slots(&fresh, found, started).await
            } else {
                started.elapsed()
            }
        })
    };
    group.bench_function("find in DoS and SDS, then search", |b| {
        b.iter_custom(|n| (0..n).map(|_| fresh_find(true)).sum())
    });
    group.bench_function("find in DoS and SDS alone", |b| {
        b.iter_custom(|n| (0..n).map(|_| fresh_find(false)).sum())
    });
    group.finish();
}

criterion_group!(benches, find_then_search);
criterion_main!(benches);
