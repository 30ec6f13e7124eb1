//! Servers that do not serve: a closed port (connection refused) and a blackhole (connects hang).

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use anyhow::Context as _;
use tokio::net::{TcpSocket, TcpStream};

/// What a server must keep alive while it runs.
pub enum Hold {
    None,
    /// Bound and never listening: connects are refused, and no other socket can be given
    /// the port while the case runs.
    Closed {
        _socket: TcpSocket,
    },
    Blackhole {
        _listener: tokio::net::TcpListener,
        _fillers: Vec<TcpStream>,
    },
}

fn socket(ip: IpAddr) -> std::io::Result<TcpSocket> {
    match ip {
        IpAddr::V4(_) => TcpSocket::new_v4(),
        IpAddr::V6(_) => TcpSocket::new_v6(),
    }
}

/// A port that nothing listens on. It stays bound (without `listen`) while held: a released
/// number could be handed to a parallel cell's listener, and the refusal would be a response.
pub async fn closed_port(ip: IpAddr) -> anyhow::Result<(SocketAddr, Hold)> {
    let s = socket(ip)?;
    s.bind(SocketAddr::new(ip, 0))?;
    let addr = s.local_addr()?;
    Ok((addr, Hold::Closed { _socket: s }))
}

/// A listener that never accepts, with its accept queue filled by connections of our own, so
/// the kernel drops further SYNs and a client's connect hangs until its timeout.
pub async fn blackhole(ip: IpAddr) -> anyhow::Result<(SocketAddr, Hold)> {
    let s = socket(ip)?;
    s.bind(SocketAddr::new(ip, 0))?;
    let listener = s.listen(0).context("blackhole listen")?;
    let addr = listener.local_addr()?;
    let mut fillers = Vec::new();
    for _ in 0..16 {
        match tokio::time::timeout(Duration::from_millis(150), TcpStream::connect(addr)).await {
            Ok(Ok(stream)) => fillers.push(stream),
            _ => break,
        }
    }
    Ok((
        addr,
        Hold::Blackhole {
            _listener: listener,
            _fillers: fillers,
        },
    ))
}
