//! The test harness of circulars' end-to-end tests (filled in by the next commit).
