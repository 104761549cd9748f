// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

// A search reads many small JSON trees at once; glibc's malloc was a fifth of the desk's CPU
// (tests/PERFORMANCE.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    booking_desk::run();
}
