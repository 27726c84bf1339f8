"""The scripts in ConfigMap `<name>-mpi-start-script`, mounted into multi-node pods (§4.2, MPI).

`start-mpi-cluster.sh` keeps upstream's contract: mounted at `/opt/nim/start-mpi-cluster.sh`,
it is what a multi-node NIM image runs to start the OpenAI-compatible server of one MPI rank
(`nim_llm_sdk.entrypoints.openai.api_server` from the image's virtualenv), its logs packed as
JSON lines when `NIM_JSONL_LOGGING=1` and the image has the packer. The containers, as
upstream's, set no command: the image's entrypoint reads the multi-node env, brings the group
up over MPI and runs this script.

`launch-mpi-group.sh` (mounted at `/opt/nim/launch-mpi-group.sh`) is nimop's opt-in for images
whose entrypoint does not start an MPI group: with `spec.command: ["/bin/bash",
"/opt/nim/launch-mpi-group.sh"]` workers run sshd with the group's key, and the leader waits
(up to `CLUSTER_START_TIMEOUT`) until every worker of its group answers over ssh, then runs the
start script on every rank with `mpirun` over the group's hostfile. The role is the first
argument, else `NIM_LEADER_ROLE` (1 on the leader, 0 on workers), so one command serves both.
"""

START_KEY = "start-mpi-cluster.sh"
LAUNCH_KEY = "launch-mpi-group.sh"
START_PATH = f"/opt/nim/{START_KEY}"
LAUNCH_PATH = f"/opt/nim/{LAUNCH_KEY}"

START_SCRIPT = r"""#!/bin/bash
# One MPI rank of the NIM: the OpenAI-compatible server from the image's virtualenv.
PY=/opt/nim/llm/.venv/bin/python3
PACKER=nim_llm_sdk.logging.pack_all_logs_into_json
if [ "${NIM_JSONL_LOGGING:-0}" = "1" ] && "$PY" -c "import $PACKER" 2>/dev/null; then
  "$PY" -m nim_llm_sdk.entrypoints.openai.api_server 2>&1 | "$PY" -m "$PACKER"
else
  exec "$PY" -m nim_llm_sdk.entrypoints.openai.api_server
fi
"""

LAUNCH_SCRIPT = r"""#!/bin/bash
set -eo pipefail
if [ -n "${1:-}" ]; then ROLE=$1
elif [ "${NIM_LEADER_ROLE:-1}" = "1" ]; then ROLE=leader
else ROLE=worker
fi
SSH_DIR=/opt/nim/llm/.ssh
mkdir -p "$SSH_DIR"
cp /opt/nim/llm/pk/private.key "$SSH_DIR/id_rsa"
chmod 600 "$SSH_DIR/id_rsa"
ssh-keygen -y -f "$SSH_DIR/id_rsa" > "$SSH_DIR/authorized_keys"
printf 'Host *\n  Port 2222\n  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n' \
  > "$SSH_DIR/config"
printf '  IdentityFile %s/id_rsa\n' "$SSH_DIR" >> "$SSH_DIR/config"
if [ "$ROLE" = "worker" ]; then
  ssh-keygen -q -t rsa -N '' -f /ssh-confs/ssh_host_rsa_key <<< y >/dev/null
  exec /usr/sbin/sshd -D -e -p 2222 -h /ssh-confs/ssh_host_rsa_key \
    -o PidFile=/ssh-confs/sshd.pid -o AuthorizedKeysFile="$SSH_DIR/authorized_keys"
fi
HOSTFILE="/etc/mpi/hostfile-${GROUP_INDEX:-0}"
DEADLINE=$((SECONDS + ${CLUSTER_START_TIMEOUT:-300}))
for host in $(awk 'NR > 1 {print $1}' "$HOSTFILE"); do
  until ssh -F "$SSH_DIR/config" -o ConnectTimeout=5 "$host" true 2>/dev/null; do
    if [ "$SECONDS" -ge "$DEADLINE" ]; then echo "worker $host unreachable" >&2; exit 1; fi
    sleep 5
  done
done
NP=$(( ${NIM_NUM_COMPUTE_NODES:-1} * ${GPUS_PER_NODE:-1} ))
exec mpirun --hostfile "$HOSTFILE" -n "$NP" --bind-to none -x NIM_LEADER_ROLE=0 \
  -mca plm_rsh_args "-F $SSH_DIR/config" /bin/bash /opt/nim/start-mpi-cluster.sh
"""

SCRIPTS = {START_KEY: START_SCRIPT, LAUNCH_KEY: LAUNCH_SCRIPT}
