//! `perelom serve`: the process around the web explorer. The server crate serves; this
//! command owns the runtime, the listening socket's announcement and Ctrl-C.

use crate::cli::ServeArgs;
use crate::error::CliError;
use std::process::ExitCode;
use std::time::Duration;

pub fn run(args: ServeArgs) -> Result<ExitCode, CliError> {
    let cfg = perelom_server::Config {
        max_runs: usize::try_from(args.max_runs).unwrap_or(usize::MAX),
        max_population: args.max_population,
        unplayed_timeout: Duration::from_secs(args.unplayed_timeout),
        max_ensembles: usize::try_from(args.max_ensembles).unwrap_or(usize::MAX),
        max_ensemble_runs: usize::try_from(args.max_ensemble_runs).unwrap_or(usize::MAX),
        git_commit: option_env!("PERELOM_GIT_COMMIT").filter(|c| !c.is_empty()).map(String::from),
        ..perelom_server::Config::default()
    };
    let addr = std::net::SocketAddr::new(args.bind, args.port);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Message(format!("cannot start the server: {e}")))?;
    let result = rt.block_on(async move {
        let listener = perelom_server::bind(addr).await?;
        let local = listener.local_addr().map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        outln!("perelom serve: listening on http://{local}/ (Ctrl-C to stop)");
        // Ctrl-C ends the server; if the handler cannot be installed, it serves until killed.
        let ctrl_c = async {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        };
        perelom_server::serve(listener, cfg, ctrl_c).await
    });
    // Stepping threads stop with their runs; do not wait long for a step in progress.
    rt.shutdown_timeout(Duration::from_millis(500));
    result.map_err(CliError::Message)?;
    Ok(ExitCode::SUCCESS)
}
