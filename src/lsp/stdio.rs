//! The protocol's byte streams on threads of their own.
//!
//! tokio's `stdin()` and `stdout()` do every read and write on the blocking pool, and a read of stdin
//! blocks until the client sends something: one blocking thread is always taken by it, and with the
//! pool capped, requests waited for the one left (a hover queued behind a formatting request). Here a
//! dedicated thread reads stdin and another writes stdout, each moving bytes through an in-memory pipe
//! (`tokio::io::duplex`) to and from the protocol loop; the blocking pool is left to the work.

use std::io::{Read, Write};
use std::thread::JoinHandle;

use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio::runtime::Handle;

/// How many bytes each pipe buffers before its writer waits.
const PIPE_BYTES: usize = 1 << 16;

/// The server's ends of the two pipes, and the writer thread to join after the server has dropped its
/// output (so every byte reaches stdout before the process exits).
pub struct Streams {
    pub input: DuplexStream,
    pub output: DuplexStream,
    pub writer: JoinHandle<()>,
}

/// Starts the reader and writer threads over `input` and `output` (the process's stdin and stdout in
/// `dfls lsp`). The reader ends at the end of input or on an error, which the server sees as the end
/// of its input; the writer ends when the server drops its output.
pub fn spawn(
    handle: &Handle,
    mut input: impl Read + Send + 'static,
    mut output: impl Write + Send + 'static,
) -> std::io::Result<Streams> {
    let (server_input, mut feed) = tokio::io::duplex(PIPE_BYTES);
    let reader_handle = handle.clone();
    std::thread::Builder::new().name("dfls-lsp-stdin".to_owned()).spawn(move || {
        let mut buffer = vec![0; PIPE_BYTES];
        loop {
            let read = match input.read(&mut buffer) {
                Ok(0) => break,
                Ok(read) => read,
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(error) => {
                    eprintln!("dfls lsp: cannot read the client's messages: {error}");
                    break;
                }
            };
            if reader_handle.block_on(feed.write_all(&buffer[..read])).is_err() {
                break;
            }
        }
        // Dropping `feed` ends the server's input.
    })?;
    let (server_output, mut drain) = tokio::io::duplex(PIPE_BYTES);
    let writer_handle = handle.clone();
    let writer = std::thread::Builder::new().name("dfls-lsp-stdout".to_owned()).spawn(move || {
        let mut buffer = vec![0; PIPE_BYTES];
        loop {
            let read = match writer_handle.block_on(drain.read(&mut buffer)) {
                Ok(0) | Err(_) => break,
                Ok(read) => read,
            };
            if let Err(error) = output.write_all(&buffer[..read]).and_then(|()| output.flush()) {
                eprintln!("dfls lsp: cannot write to the client: {error}");
                break;
            }
        }
    })?;
    Ok(Streams { input: server_input, output: server_output, writer })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// A writer whose bytes the test can read after the thread is done.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn bytes_cross_both_pipes_and_the_ends_are_seen() {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).build().unwrap();
        let input = std::io::Cursor::new(b"hello from the client".to_vec());
        let output = Shared::default();
        let streams = spawn(runtime.handle(), input, output.clone()).unwrap();
        let Streams { mut input, output: mut server_output, writer } = streams;
        runtime.block_on(async {
            let mut received = String::new();
            input.read_to_string(&mut received).await.unwrap();
            assert_eq!(received, "hello from the client");
            server_output.write_all(b"and the answer").await.unwrap();
        });
        drop(server_output);
        writer.join().unwrap();
        assert_eq!(output.0.lock().unwrap().as_slice(), b"and the answer");
    }
}
