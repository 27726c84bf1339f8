"""The MPI start script mounted into multi-node pods (§4.2, MPI backend).

Workers run sshd with the group's key; the leader waits (up to `CLUSTER_START_TIMEOUT`) until
every worker of its group answers over ssh, then starts the NIM OpenAI server with `mpirun`
across the group's hostfile, piping logs to the JSON packer when `NIM_JSONL_LOGGING=1`.
Upstream ships an equivalent script; this one is ours (same mounts, same env contract).
"""

MPI_SCRIPT = r"""#!/bin/bash
set -eo pipefail
ROLE="${1:-leader}"
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
RUN=(mpirun --hostfile "$HOSTFILE" -n "$NP" --bind-to none -x NIM_LEADER_ROLE=0
     -mca plm_rsh_args "-F $SSH_DIR/config" python3 -m vllm_nvext.entrypoints.openai.api_server)
if [ "${NIM_JSONL_LOGGING:-0}" = "1" ]; then
  "${RUN[@]}" 2>&1 | python3 -m nim_llm_sdk.logging.pack_all_logs_into_json
else
  exec "${RUN[@]}"
fi
"""
