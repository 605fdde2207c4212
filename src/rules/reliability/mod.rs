//! Reliability rules about where pods run and how much room they take: ops tooling isolated
//! from customer workloads on node pools, overcommitted containers and node pools.

pub mod container_overcommit_ratio;
pub mod customer_workload_on_ops_pool;
pub mod node_pool_over_committed;
pub mod node_pools;
pub mod ops_workload_shares_node_pool;
