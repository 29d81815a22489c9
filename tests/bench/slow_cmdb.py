#!/usr/bin/python3
"""A CMDB that takes DELAY ms to answer (the context benchmark): GET
/h/NAME answers {"owner": "team-N", "tier": 1..4} after the delay, many
requests at once. Prints its port on the first line; exits when stdin
reaches its end. Usage: slow_cmdb.py DELAY_MS"""
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DELAY = int(sys.argv[1]) / 1000.0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # One write per answer, sent at once: headers and body written apart
    # meet Nagle and the client's delayed ACK (40 ms a request).
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        time.sleep(DELAY)
        name = self.path.rsplit("/", 1)[-1]
        n = sum(name.encode()) % 4 + 1
        data = json.dumps({"host": name, "owner": "team-%d" % n, "tier": n}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        pass


srv = Server(("127.0.0.1", 0), Handler)
threading.Thread(target=lambda: (sys.stdin.buffer.read(), os._exit(0)), daemon=True).start()
print(srv.server_address[1], flush=True)
srv.serve_forever()
